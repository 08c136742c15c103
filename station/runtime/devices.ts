/**
 * The bench's serial devices, when configured: the stack light that shows each verdict and the barcode scanner that
 * changes the selection. `devices()` is their status for /healthz and the Live page.
 */
import type { StationConfig } from '../config.ts';
import type { Log } from '../shared/domain.d.ts';
import { createBarcodeReader } from '../signals/barcode.ts';
import { createStackLight, type StackLightState } from '../signals/stackLight.ts';

export function openDevices(config: StationConfig, log: Log) {
  const light = config.stackLight ? createStackLight(config.stackLight, log) : null;
  const barcode = config.barcode
    ? createBarcodeReader({ ...config.barcode, mapping: config.barcode.codes }, log)
    : null;
  return {
    light,
    barcode,
    show: (s: StackLightState) => light?.show(s),
    devices: () => ({
      ...(light ? { 'stack light': light.status } : {}),
      ...(barcode ? { 'barcode scanner': barcode.status } : {}),
    }),
  };
}
