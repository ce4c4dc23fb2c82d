import { natsConnectionOptions } from './nats.js';

describe('natsConnectionOptions', () => {
  it('should pass the user and password as options when the URL carries them', () => {
    expect(natsConnectionOptions('nats://sym:p%40ss@127.0.0.1:4222', 'gw')).toMatchObject({
      servers: ['nats://127.0.0.1:4222'],
      user: 'sym',
      pass: 'p@ss',
      name: 'gw',
    });
  });

  it('should list every server without credentials when given several', () => {
    const o = natsConnectionOptions('nats://a:b@10.0.0.1:4222,nats://10.0.0.2:4222', 'x');
    expect(o.servers).toEqual(['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222']);
  });

  it('should set no user when the URL has none', () => {
    expect(natsConnectionOptions('nats://127.0.0.1:4222', 'x')).not.toHaveProperty('user');
  });

  it('should turn off async stack traces and reconnect forever when connecting', () => {
    expect(natsConnectionOptions('nats://127.0.0.1:4222', 'x')).toMatchObject({
      noAsyncTraces: true,
      maxReconnectAttempts: -1,
    });
  });
});
