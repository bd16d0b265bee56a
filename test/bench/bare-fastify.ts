/** The floor for /v1/check: a bare fastify handler answering the same JSON, nothing behind it. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/v1/check', async () => ({ allow: true, code: null, ndr: null }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
