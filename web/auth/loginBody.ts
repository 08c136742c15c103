// POST /api/login's body. Any refusal reads the same, so the form's mistakes and probes learn nothing more.
import { z } from 'zod';

const LOGIN_SHAPE = 'send {name, password} as JSON';

export const loginBody = z.strictObject(
  {
    name: z.string({ error: LOGIN_SHAPE }).trim().min(1, { error: LOGIN_SHAPE }).max(64, { error: LOGIN_SHAPE }),
    password: z.string({ error: LOGIN_SHAPE }).min(1, { error: LOGIN_SHAPE }).max(1024, { error: LOGIN_SHAPE }),
  },
  { error: LOGIN_SHAPE },
);
