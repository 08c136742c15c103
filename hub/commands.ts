/**
 * Sends one station a command on its commands topic (QoS 1): the broker keeps it in the station's persistent session
 * while the bench is off. Resolves on the broker's acknowledgement; refuses at once when the hub is not connected,
 * rather than holding a lead's request in memory with no end.
 */
import type { MqttClient } from 'mqtt';
import { HttpError } from '../web/http-error.ts';
import { commandMessage, type CommandMessage } from '../station/network/commands.ts';
import { commandsTopic } from '../station/network/topics.ts';

/** A broker the hub cannot reach is the lead's to retry: a 503 wherever a route meets it. */
export class BrokerUnavailable extends HttpError {
  constructor(message: string) {
    super(503, message);
  }
}

export type SendCommand = (stationId: string, command: CommandMessage) => Promise<void>;

export function commandSender(client: MqttClient): SendCommand {
  return async (stationId, command) => {
    // The hub's own mistake would otherwise be found only in a station's log.
    const checked = commandMessage.parse(command);
    if (!client.connected) throw new BrokerUnavailable('the hub is not connected to the broker; try again shortly');
    await client.publishAsync(commandsTopic(stationId), JSON.stringify(checked), { qos: 1 });
  };
}
