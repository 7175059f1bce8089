/**
 * The harness's own etcd clients, one per member endpoint: status (readiness,
 * leader) and enabling auth.
 */
import { Etcd3, type IOptions, type IStatusResponse } from 'etcd3';
import { coolDownPolicy, noRetryPolicy } from '../policy.js';

export interface AdminAuth {
  readonly username: string;
  readonly password: string;
}

export class AdminClients {
  private readonly clients = new Map<string, Etcd3>();
  private auth: AdminAuth | undefined;

  constructor(private readonly credentials: IOptions['credentials']) {}

  status(endpoint: string, timeoutMs: number): Promise<IStatusResponse> {
    return this.client(endpoint).maintenance.status({ deadline: Date.now() + timeoutMs });
  }

  /** Creates user root (and `auth.username`) with the root role, then enables auth. */
  async enableAuth(endpoint: string, auth: AdminAuth): Promise<void> {
    const client = this.client(endpoint);
    await client.role('root').create();
    const names = auth.username === 'root' ? ['root'] : ['root', auth.username];
    for (const name of names) {
      await client.user(name).create(auth.password);
      await client.user(name).addRole('root');
    }
    await client.auth.authEnable();
    this.auth = auth;
    this.closeAll();
  }

  closeAll(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(endpoint: string): Etcd3 {
    let client = this.clients.get(endpoint);
    if (client === undefined) {
      client = new Etcd3({
        hosts: [endpoint],
        ...(this.credentials === undefined ? {} : { credentials: this.credentials }),
        ...(this.auth === undefined ? {} : { auth: { ...this.auth } }),
        faultHandling: { global: noRetryPolicy(), host: (host) => coolDownPolicy(host, 0) },
      });
      this.clients.set(endpoint, client);
    }
    return client;
  }
}
