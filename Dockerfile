# Repute's one image: the same code runs the API, the workers and the mailbox poller
# (the command picks which). TypeScript runs through tsx, so there is no build step.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY src ./src
COPY workers ./workers
COPY migrations ./migrations
COPY tsconfig.json ./
USER node
EXPOSE 8080
ENTRYPOINT ["node", "src/cli/bin.js"]
CMD ["start"]
