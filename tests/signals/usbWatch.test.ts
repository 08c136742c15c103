import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  classifyVideo,
  createUsbWatch,
  type UsbDeviceLike,
  type UsbModuleLike,
  type VideoDevice,
} from '../../station/signals/usbWatch.ts';
import { captureLog } from './socatPair.ts';

describe('usbWatch on this machine (real node-usb)', () => {
  it('constructs and disposes without error with default settings', () => {
    const log = captureLog();
    const watch = createUsbWatch(log);
    if (!existsSync('/dev/bus/usb')) {
      expect(watch.status).toEqual({ state: 'unavailable', reason: expect.stringContaining('/dev/bus/usb') });
      expect(log.entries.some(([lvl, m]) => lvl === 'warn' && m.startsWith('usb unavailable:'))).toBe(true);
    } else {
      expect(watch.status.state).toBe('watching');
    }
    expect(watch.videoDevices()).toEqual(watch.status.state === 'watching' ? expect.any(Array) : []);
    watch.dispose();
    watch.dispose();
    expect(watch.status).toEqual({ state: 'disposed' });
  });

  it('with the bus check skipped, really subscribes to node-usb hot-plug and unsubscribes on dispose', () => {
    const usb = createRequire(import.meta.url)('usb') as { usb: EventEmitter };
    const before = usb.usb.listenerCount('attach') + usb.usb.listenerCount('detach');
    const watch = createUsbWatch(captureLog(), { busPath: null });
    if (watch.status.state === 'unavailable') {
      // libusb itself cannot start here: then nothing may be left subscribed.
      expect(usb.usb.listenerCount('attach') + usb.usb.listenerCount('detach')).toBe(before);
      return;
    }
    expect(watch.status.state).toBe('watching');
    expect(usb.usb.listenerCount('attach') + usb.usb.listenerCount('detach')).toBe(before + 2);
    watch.dispose();
    expect(usb.usb.listenerCount('attach') + usb.usb.listenerCount('detach')).toBe(before);
  });

  it('reports a usb module that fails to load instead of throwing', () => {
    const log = captureLog();
    const watch = createUsbWatch(log, {
      busPath: null,
      loadUsb: () => {
        throw new Error('libusb-1.0.so.0: cannot open shared object file');
      },
    });
    expect(watch.status).toEqual({ state: 'unavailable', reason: expect.stringContaining('libusb-1.0.so.0') });
    watch.dispose();
  });
});

// No USB hardware exists on these machines, so hot-plug events come from a stand-in bus
// that hands over device objects shaped like node-usb's.
function device(
  bus: number,
  address: number,
  deviceClass: number,
  interfaceClasses: number[] | 'throws' | 'none',
  ports: number[] = [address],
): UsbDeviceLike {
  return {
    busNumber: bus,
    deviceAddress: address,
    portNumbers: ports,
    deviceDescriptor: { idVendor: 0x046d, idProduct: 0x0800 + address, bDeviceClass: deviceClass },
    get configDescriptor() {
      if (interfaceClasses === 'throws') throw Object.assign(new Error('LIBUSB_ERROR_ACCESS'), { errno: -3 });
      if (interfaceClasses === 'none') return undefined;
      return { interfaces: interfaceClasses.map((c) => [{ bInterfaceClass: c }]) };
    },
  };
}

function fakeUsb(initial: UsbDeviceLike[]) {
  const bus = new EventEmitter();
  const mod: UsbModuleLike = {
    usb: bus as unknown as UsbModuleLike['usb'],
    getDeviceList: () => initial,
  };
  return { bus, mod };
}

describe('usbWatch filtering (stand-in bus)', () => {
  it('classifies by device class, interface class 0x0E, and unreadable descriptors', () => {
    expect(classifyVideo(device(1, 2, 0x0e, []))).toBe('yes');
    expect(classifyVideo(device(1, 2, 0xef, [0x0e, 0x0e, 0x01]))).toBe('yes'); // UVC webcam with microphone
    expect(classifyVideo(device(1, 2, 0x00, [0x03]))).toBe('no'); // keyboard
    expect(classifyVideo(device(1, 2, 0x09, 'throws'))).toBe('no'); // hub
    expect(classifyVideo(device(1, 2, 0xef, 'throws'))).toBe('maybe');
    expect(classifyVideo(device(1, 2, 0x00, 'none'))).toBe('maybe');
    expect(classifyVideo(device(1, 2, 0x08, 'throws'))).toBe('no'); // mass storage
  });

  it('emits videoAttached / videoDetached for cameras only', () => {
    const log = captureLog();
    const preplugged = device(1, 3, 0xef, [0x0e, 0x0e]);
    const { bus, mod } = fakeUsb([preplugged, device(1, 1, 0x09, [0x09])]);
    const watch = createUsbWatch(log, { busPath: null, loadUsb: () => mod });
    expect(watch.status).toEqual({ state: 'watching' });
    expect(watch.videoDevices().map((d) => d.key)).toEqual(['1-3']);

    const attached: VideoDevice[] = [];
    const detached: VideoDevice[] = [];
    watch.on('videoAttached', (d) => attached.push(d));
    watch.on('videoDetached', (d) => detached.push(d));

    const camera = device(2, 7, 0xef, [0x0e, 0x0e, 0x01], [1, 4]);
    bus.emit('attach', device(2, 5, 0x00, [0x03])); // keyboard: ignored
    bus.emit('attach', camera);
    expect(attached).toEqual([
      {
        key: '2-7',
        busNumber: 2,
        deviceAddress: 7,
        port: '2-1.4',
        vendorId: '046d',
        productId: '0807',
        confirmed: true,
      },
    ]);

    bus.emit('detach', device(2, 5, 0x00, 'throws')); // keyboard leaves: ignored
    bus.emit('detach', camera);
    bus.emit('detach', preplugged);
    expect(detached.map((d) => d.key)).toEqual(['2-7', '1-3']);
    expect(watch.videoDevices()).toEqual([]);

    watch.dispose();
    expect(bus.listenerCount('attach') + bus.listenerCount('detach')).toBe(0);
    bus.emit('attach', camera); // after dispose: nothing
    expect(attached).toHaveLength(1);
  });

  it('reports an unreadable device as an unconfirmed camera and warns once', () => {
    const log = captureLog();
    const { bus, mod } = fakeUsb([]);
    const watch = createUsbWatch(log, { busPath: null, loadUsb: () => mod });
    const seen: VideoDevice[] = [];
    watch.on('videoAttached', (d) => seen.push(d));
    bus.emit('attach', device(1, 8, 0xef, 'throws'));
    bus.emit('attach', device(1, 9, 0xef, 'throws'));
    expect(seen.map((d) => [d.key, d.confirmed])).toEqual([
      ['1-8', false],
      ['1-9', false],
    ]);
    expect(log.entries.filter(([lvl, m]) => lvl === 'warn' && m.includes('cannot read the descriptors'))).toHaveLength(
      1,
    );
    watch.dispose();
  });

  it('survives a throwing listener and a failing device list', () => {
    const log = captureLog();
    const { bus, mod } = fakeUsb([]);
    const watch = createUsbWatch(log, { busPath: null, loadUsb: () => mod });
    watch.on('videoAttached', () => {
      throw new Error('consumer bug');
    });
    expect(() => bus.emit('attach', device(1, 2, 0x0e, []))).not.toThrow();
    expect(log.entries.some(([, m]) => m.includes('consumer bug'))).toBe(true);
    watch.dispose();

    const broken: UsbModuleLike = {
      usb: new EventEmitter() as unknown as UsbModuleLike['usb'],
      getDeviceList: () => {
        throw new Error('LIBUSB_ERROR_OTHER');
      },
    };
    const w2 = createUsbWatch(log, { busPath: null, loadUsb: () => broken });
    expect(w2.status).toEqual({ state: 'unavailable', reason: expect.stringContaining('LIBUSB_ERROR_OTHER') });
    expect((broken.usb as unknown as EventEmitter).listenerCount('attach')).toBe(0);
    w2.dispose();
  });
});
