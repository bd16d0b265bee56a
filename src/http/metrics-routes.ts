import type { FastifyPluginAsync } from 'fastify';
import type { Runtime } from '../runtime.ts';

/** Prometheus text exposition; open like /healthz (put it behind the network's own fences). */
export const metricsRoutes: FastifyPluginAsync<{ rt: Runtime }> = async (app, { rt }) => {
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', rt.metrics.registry.contentType);
    return rt.metrics.registry.metrics();
  });
};
