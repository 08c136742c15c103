// The station's HTTP errors: the shared type (web/http-error.ts), and its handler naming the station.
import type { Log } from '../shared/domain.d.ts';
import { errorHandler as httpErrorHandler } from '../../web/http-error.ts';

export { badRequest, HttpError, notFound } from '../../web/http-error.ts';

export const errorHandler = (log: Pick<Log, 'error'>) => httpErrorHandler(log, 'the station');
