import type { ArgumentsHost } from '@nestjs/common';
import { HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { RecordingRpc } from '../../../../libs/testing/src/fakes/index.js';
import { AwsHttpFilter } from './aws-http.filter.js';
import { RecordingAudit, RecordingReply, fakeHandler, fakeRequest } from './kms-http.test-helper.js';

const MAX_BODY = 1024;

function host(req: FastifyRequest, reply: RecordingReply): ArgumentsHost {
  return {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => reply, getNext: () => undefined }),
  } as unknown as ArgumentsHost;
}

async function filter(
  exception: unknown,
  req: { url: string; method?: string; headers?: Record<string, string> },
): Promise<{ reply: RecordingReply; audit: RecordingAudit }> {
  const audit = new RecordingAudit();
  const reply = new RecordingReply();
  await new AwsHttpFilter(fakeHandler(new RecordingRpc(), audit), MAX_BODY).catch(
    exception,
    host(fakeRequest(req), reply),
  );
  return { reply, audit };
}

/** The error Fastify raises for a body over bodyLimit (FST_ERR_CTP_BODY_TOO_LARGE). */
const fastifyBodyTooLarge = () =>
  Object.assign(new Error('Request body is too large'), {
    code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    statusCode: 413,
  });

describe('AwsHttpFilter', () => {
  it('should answer 503 with the health body and audit nothing when /health is unhealthy', async () => {
    const body = { status: 'unhealthy', checks: { database: true, 'audit-stream': false } };
    const { reply, audit } = await filter(new HttpException(body, 503), { url: '/health', method: 'GET' });
    expect(reply.statusCode).toBe(503);
    expect(reply.json()).toEqual(body);
    expect(audit.events).toEqual([]);
  });

  it('should answer 404 with the Nest body and audit nothing when the route is unknown', async () => {
    const e = new NotFoundException('Cannot GET /nope');
    const { reply, audit } = await filter(e, { url: '/nope?x=1', method: 'GET' });
    expect(reply.statusCode).toBe(404);
    expect(reply.json()).toEqual(e.getResponse());
    expect(audit.events).toEqual([]);
  });

  it('should answer 413 without the AWS shape and audit nothing when a body to another path is too large', async () => {
    const { reply, audit } = await filter(fastifyBodyTooLarge(), { url: '/metrics' });
    expect(reply.statusCode).toBe(413);
    expect(reply.json()).toEqual({ statusCode: 413, message: 'The request could not be read.' });
    expect(audit.events).toEqual([]);
  });

  it('should answer 500 without the error text and audit nothing when another path fails unexpectedly', async () => {
    const { reply, audit } = await filter(new Error('secret internals'), { url: '/metrics', method: 'GET' });
    expect(reply.statusCode).toBe(500);
    expect(JSON.stringify(reply.json())).not.toContain('secret internals');
    expect(audit.events).toEqual([]);
  });

  it.each([
    ['the Fastify body limit error', fastifyBodyTooLarge()],
    ['a PayloadTooLargeException', new PayloadTooLargeException()],
  ])(
    'should answer and audit RequestEntityTooLargeException (413) when the KMS endpoint gets %s',
    async (_, e) => {
      const { reply, audit } = await filter(e, {
        url: '/',
        headers: { 'x-amz-target': 'TrentService.Encrypt' },
      });
      expect(reply.statusCode).toBe(413);
      expect(reply.headers['content-type']).toBe('application/x-amz-json-1.1');
      expect(reply.json()).toEqual({
        __type: 'RequestEntityTooLargeException',
        message: `The request body exceeds ${MAX_BODY} bytes.`,
      });
      expect(audit.events).toEqual([
        expect.objectContaining({
          operation: 'Encrypt',
          outcome: 'RequestEntityTooLargeException',
          httpStatus: 413,
        }),
      ]);
    },
  );

  it('should answer and audit UnknownOperationException (404) when the KMS endpoint is called with GET', async () => {
    const { reply, audit } = await filter(new NotFoundException('Cannot GET /'), {
      url: '/?Action=x',
      method: 'GET',
    });
    expect(reply.statusCode).toBe(404);
    expect(reply.json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect(audit.events).toEqual([
      expect.objectContaining({ outcome: 'UnknownOperationException', httpStatus: 404 }),
    ]);
  });

  it('should answer and audit SerializationException (400) when the KMS endpoint request cannot be read', async () => {
    const { reply, audit } = await filter(new Error('boom'), { url: '/' });
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toEqual({
      __type: 'SerializationException',
      message: 'The request could not be read.',
    });
    expect(audit.events).toHaveLength(1);
  });
});
