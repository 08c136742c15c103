export {
  PresenceTrigger,
  defaultPresenceConfig,
  type InspectInfo,
  type PresenceConfig,
  type PresenceEvents,
  type TriggerState,
} from './presence.ts';
export { toThumb, roiBounds, changedFraction, type Roi, type Thumb } from './thumb.ts';
