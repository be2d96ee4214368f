import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { AccountStore } from '../account-store.js';
import type { AppRegistry } from './app-registry.js';
import { NO_PRACTICE, type ArtifactPayload, type OAuthArtifacts } from './oauth-artifacts.js';

/**
 * oidc-provider's storage interface over our database. Registered apps come from oauth_client;
 * everything else is an oauth_artifact row of the practice the artifact is about: the app's
 * practice when the artifact names an app, else the signed-in person's.
 */
export function createOidcAdapter(artifacts: OAuthArtifacts, apps: AppRegistry, accounts: AccountStore): new (model: string) => Adapter {
  const practiceOf = async (payload: ArtifactPayload): Promise<string> => {
    const params = payload.params as { client_id?: unknown } | undefined;
    const clientId = payload.clientId ?? (typeof params?.client_id === 'string' ? params.client_id : undefined) ?? (typeof payload.iss === 'string' ? payload.iss : undefined);
    const viaApp = clientId ? await apps.tenantOf(clientId) : undefined;
    if (viaApp) return viaApp;
    const viaAccount = payload.accountId ? await accounts.tenantOfAccount(payload.accountId) : undefined;
    return viaAccount ?? NO_PRACTICE;
  };

  return class DatabaseAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('Apps are registered through /admin/apps');
      const artifact = payload as ArtifactPayload;
      await artifacts.upsert(await practiceOf(artifact), this.model, id, artifact, expiresIn || undefined);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return (await apps.clientMetadata(id)) as AdapterPayload | undefined;
      return (await artifacts.find(this.model, id)) as AdapterPayload | undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await artifacts.findByUserCode(this.model, userCode)) as AdapterPayload | undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await artifacts.findByUid(this.model, uid)) as AdapterPayload | undefined;
    }

    async consume(id: string): Promise<void> {
      await artifacts.consume(this.model, id);
    }

    async destroy(id: string): Promise<void> {
      await artifacts.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await artifacts.revokeByGrantId(grantId);
    }
  };
}
