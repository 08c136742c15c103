// Tells the capture stage at once when a USB camera is plugged in or pulled, so it can reopen
// the camera without waiting for its polling fallback. Uses node-usb 2.x attach/detach events.
// Everything here is best-effort: no libusb, no USB bus, no permission to read descriptors
// must never stop the station. Then the watch reports 'unavailable' and emits nothing.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { errorText } from './lineProtocol.ts';
import type { Log } from '../shared/domain.d.ts';

const CLASS_PER_INTERFACE = 0x00;
const CLASS_HUB = 0x09;
const CLASS_VIDEO = 0x0e;
const CLASS_MISC = 0xef; // most UVC webcams: interface association, class on the interfaces
const CLASS_VENDOR = 0xff;

/** The slice of a node-usb Device this module reads. */
export interface UsbDeviceLike {
  busNumber: number;
  deviceAddress: number;
  portNumbers?: number[];
  deviceDescriptor: { idVendor: number; idProduct: number; bDeviceClass: number };
  /** Getters in node-usb: may throw (permissions) or be undefined (unconfigured device). */
  readonly configDescriptor?: { interfaces: { bInterfaceClass: number }[][] } | undefined;
  readonly allConfigDescriptors?: { interfaces: { bInterfaceClass: number }[][] }[];
}

/** The slice of the node-usb module this module uses (lets tests stand in for hardware). */
export interface UsbModuleLike {
  usb: {
    on(event: 'attach' | 'detach', listener: (device: UsbDeviceLike) => void): unknown;
    removeListener(event: 'attach' | 'detach', listener: (device: UsbDeviceLike) => void): unknown;
    INIT_ERROR?: number;
    unrefHotplugEvents?: () => void;
  };
  getDeviceList(): UsbDeviceLike[];
}

export interface VideoDevice {
  /** "<bus>-<address>": unique while the device stays plugged in. */
  key: string;
  busNumber: number;
  deviceAddress: number;
  /** Physical port path like "1-2.3" when the platform knows it, else "". */
  port: string;
  vendorId: string;
  productId: string;
  /** false when the descriptors could not be read and the device merely might be a camera. */
  confirmed: boolean;
}

export type UsbWatchStatus = { state: 'watching' } | { state: 'unavailable'; reason: string } | { state: 'disposed' };

export interface UsbWatchEvents {
  videoAttached: [device: VideoDevice];
  videoDetached: [device: VideoDevice];
}

export interface UsbWatchOptions {
  /** Loads node-usb; replaced only in tests. Default: require('usb') on first use. */
  loadUsb?: () => UsbModuleLike;
  /** A folder that exists when the machine has a USB bus; null skips the check. Default on Linux: /dev/bus/usb. */
  busPath?: string | null;
}

/** How surely a USB device is a camera. */
type Match = 'yes' | 'maybe' | 'no';

/** Is this a video-class (UVC) device? 'maybe' when its descriptors cannot be read. */
export function classifyVideo(device: UsbDeviceLike): Match {
  const cls = device.deviceDescriptor.bDeviceClass;
  if (cls === CLASS_VIDEO) return 'yes';
  if (cls === CLASS_HUB) return 'no';
  const couldBeCamera = cls === CLASS_PER_INTERFACE || cls === CLASS_MISC || cls === CLASS_VENDOR;
  try {
    const config = device.configDescriptor ?? device.allConfigDescriptors?.[0];
    if (!config) return couldBeCamera ? 'maybe' : 'no';
    const video = config.interfaces.some((alts) => alts.some((alt) => alt.bInterfaceClass === CLASS_VIDEO));
    return video ? 'yes' : 'no';
  } catch {
    return couldBeCamera ? 'maybe' : 'no';
  }
}

function describe(device: UsbDeviceLike, confirmed: boolean): VideoDevice {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  const ports = device.portNumbers ?? [];
  return {
    key: `${device.busNumber}-${device.deviceAddress}`,
    busNumber: device.busNumber,
    deviceAddress: device.deviceAddress,
    port: ports.length > 0 ? `${device.busNumber}-${ports.join('.')}` : '',
    vendorId: hex(device.deviceDescriptor.idVendor),
    productId: hex(device.deviceDescriptor.idProduct),
    confirmed,
  };
}

function defaultLoadUsb(): UsbModuleLike {
  return createRequire(import.meta.url)('usb') as UsbModuleLike;
}

export class UsbWatch extends EventEmitter<UsbWatchEvents> {
  private current: UsbWatchStatus;
  private usb: UsbModuleLike | null = null;
  private readonly known = new Map<string, VideoDevice>();
  private warnedUnreadable = false;
  private readonly onAttach = (device: UsbDeviceLike) => this.guard(() => this.attached(device));
  private readonly onDetach = (device: UsbDeviceLike) => this.guard(() => this.detached(device));

  constructor(
    private readonly log: Pick<Log, 'info' | 'warn'>,
    options: UsbWatchOptions = {},
  ) {
    super();
    this.current = this.start(options);
    if (this.current.state === 'unavailable') {
      this.log.warn(`usb unavailable: ${this.current.reason}; camera hot-plug falls back to polling`);
    }
  }

  get status(): UsbWatchStatus {
    return this.current;
  }

  /** Video devices plugged in right now, as far as this watch knows. */
  videoDevices(): VideoDevice[] {
    return [...this.known.values()];
  }

  /** Stops listening. Safe to call twice, and on an unavailable watch. */
  dispose(): void {
    if (this.usb) {
      this.usb.usb.removeListener('attach', this.onAttach);
      this.usb.usb.removeListener('detach', this.onDetach);
      this.usb = null;
    }
    this.known.clear();
    this.current = { state: 'disposed' };
    this.removeAllListeners();
  }

  private start(options: UsbWatchOptions): UsbWatchStatus {
    const busPath =
      options.busPath === undefined ? (process.platform === 'linux' ? '/dev/bus/usb' : null) : options.busPath;
    if (busPath !== null && !existsSync(busPath)) {
      return { state: 'unavailable', reason: `no USB bus on this machine (${busPath} does not exist)` };
    }
    let usb: UsbModuleLike;
    try {
      usb = (options.loadUsb ?? defaultLoadUsb)();
    } catch (err) {
      return {
        state: 'unavailable',
        reason: `the "usb" module could not load (${errorText(err)}); is libusb installed?`,
      };
    }
    if (usb.usb.INIT_ERROR) {
      return { state: 'unavailable', reason: `libusb failed to initialise (error ${usb.usb.INIT_ERROR})` };
    }
    try {
      for (const device of usb.getDeviceList()) {
        const verdict = classifyVideo(device);
        if (verdict !== 'no') this.remember(device, verdict);
      }
      usb.usb.on('attach', this.onAttach);
      usb.usb.on('detach', this.onDetach);
      // The watch alone must not keep the process running.
      usb.usb.unrefHotplugEvents?.();
    } catch (err) {
      usb.usb.removeListener('attach', this.onAttach);
      usb.usb.removeListener('detach', this.onDetach);
      return { state: 'unavailable', reason: `listing USB devices failed (${errorText(err)})` };
    }
    this.usb = usb;
    return { state: 'watching' };
  }

  private attached(device: UsbDeviceLike): void {
    const verdict = classifyVideo(device);
    if (verdict === 'no') return;
    const info = this.remember(device, verdict);
    this.log.info(
      `usb: video device ${info.vendorId}:${info.productId} attached at ${info.port || info.key}${info.confirmed ? '' : ' (unconfirmed)'}`,
    );
    this.emit('videoAttached', info);
  }

  private detached(device: UsbDeviceLike): void {
    // Descriptors of a gone device cannot be read: only devices seen as video are reported.
    const key = `${device.busNumber}-${device.deviceAddress}`;
    const info = this.known.get(key);
    if (!info) return;
    this.known.delete(key);
    this.log.info(`usb: video device ${info.vendorId}:${info.productId} detached from ${info.port || info.key}`);
    this.emit('videoDetached', info);
  }

  private remember(device: UsbDeviceLike, verdict: 'yes' | 'maybe'): VideoDevice {
    const info = describe(device, verdict === 'yes');
    if (!info.confirmed && !this.warnedUnreadable) {
      this.warnedUnreadable = true;
      this.log.warn(
        `usb: cannot read the descriptors of ${info.vendorId}:${info.productId}; treating it as a possible camera ` +
          '(give the station read access to /dev/bus/usb, e.g. a udev rule, for exact filtering)',
      );
    }
    this.known.set(info.key, info);
    return info;
  }

  // A throwing listener or odd device object must not escape into node-usb's event loop.
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn(`usb: handling a hot-plug event failed: ${errorText(err)}`);
    }
  }
}

/** Starts watching USB hot-plug for cameras. Never throws; check `.status` for 'unavailable'. */
export function createUsbWatch(log: Pick<Log, 'info' | 'warn'>, options?: UsbWatchOptions): UsbWatch {
  return new UsbWatch(log, options);
}
