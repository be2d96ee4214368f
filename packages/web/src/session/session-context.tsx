import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiClient, type Tokens } from '../api/api-client.js';
import type { Me } from './me.js';
import { takeSsoReturn } from '../sign-in/sso-choices.js';

export interface Session {
  readonly api: ApiClient;
  /** Undefined while signed out. */
  readonly me: Me | undefined;
  /** True while a stored session is being resumed after a reload. */
  readonly resuming: boolean;
  /** Why the person is looking at the sign-in screen (signed out, session ended, idle). */
  readonly notice: string | undefined;
  signIn(email: string, password: string, totp?: string): Promise<void>;
  signOut(notice?: string): Promise<void>;
  /** Reads /auth/me again (after the account itself changed, e.g. MFA enrolled). */
  reloadMe(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const ssoReturn = useMemo(() => takeSsoReturn(), []);
  const api = useMemo(() => {
    const client = new ApiClient();
    if (ssoReturn?.tokens) client.useTokens(ssoReturn.tokens);
    return client;
  }, [ssoReturn]);
  const [me, setMe] = useState<Me | undefined>();
  const [resuming, setResuming] = useState(api.hasSession);
  const [notice, setNotice] = useState<string | undefined>(ssoReturn?.error);

  useEffect(
    () =>
      api.onSessionEnded((message) => {
        setMe(undefined);
        setNotice(message);
        // Nothing read under the old session may show to whoever signs in next.
        queryClient.clear();
      }),
    [api, queryClient],
  );

  useEffect(() => {
    if (!api.hasSession) return;
    api
      .get<Me>('/auth/me')
      .then(setMe, () => undefined)
      .finally(() => setResuming(false));
  }, [api]);

  const signIn = useCallback(
    async (email: string, password: string, totp?: string) => {
      const tokens = await api.anonymous<Tokens>('POST', '/auth/login', { email, password, ...(totp ? { totp } : {}) });
      api.useTokens(tokens);
      const account = await api.get<Me>('/auth/me');
      setNotice(undefined);
      setMe(account);
    },
    [api],
  );

  const signOut = useCallback(
    async (message = 'You have signed out.') => {
      // The server ends the session first, so the tokens are worthless even if copied.
      await api.post('/auth/logout').catch(() => undefined);
      api.endSession(message);
    },
    [api],
  );

  const reloadMe = useCallback(async () => setMe(await api.get<Me>('/auth/me')), [api]);

  const session = useMemo<Session>(() => ({ api, me, resuming, notice, signIn, signOut, reloadMe }), [api, me, resuming, notice, signIn, signOut, reloadMe]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in account; only for screens shown after sign-in. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe while signed out');
  return me;
}
