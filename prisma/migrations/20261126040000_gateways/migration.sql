-- OpenClaw gateways (issue #7): connection settings with sealed secrets, and mirrors of each gateway's
-- sessions, cron jobs and cron runs (removed with their gateway). Agents mirror into "Agent" (source 'gateway').
CREATE TABLE "Gateway" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "authMode" TEXT NOT NULL DEFAULT 'token',
    "secretSealed" TEXT,
    "identitySealed" TEXT,
    "deviceTokenSealed" TEXT,
    "deviceTokenScopes" TEXT NOT NULL DEFAULT '[]',
    "requestAdminScope" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "status" TEXT NOT NULL DEFAULT 'connecting',
    "lastError" TEXT,
    "latencyMs" INTEGER,
    "serverVersion" TEXT,
    "protocol" INTEGER,
    "lastConnectedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "Gateway_name_key" ON "Gateway"("name");

CREATE TABLE "GatewaySession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gatewayId" TEXT NOT NULL,
    "sessionKey" TEXT NOT NULL,
    "gatewayAgentId" TEXT,
    "agentId" TEXT,
    "title" TEXT,
    "status" TEXT,
    "busy" BOOLEAN NOT NULL DEFAULT false,
    "model" TEXT,
    "inputTokens" INTEGER,
    "outputTokens" INTEGER,
    "contextTokens" INTEGER,
    "contextLimit" INTEGER,
    "costNanos" BIGINT,
    "activityAt" DATETIME,
    "usageSyncedAt" DATETIME,
    "raw" TEXT NOT NULL DEFAULT '{}',
    "syncedAt" DATETIME NOT NULL,
    CONSTRAINT "GatewaySession_gatewayId_fkey" FOREIGN KEY ("gatewayId") REFERENCES "Gateway" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "GatewaySession_gatewayId_sessionKey_key" ON "GatewaySession"("gatewayId", "sessionKey");
CREATE INDEX "GatewaySession_activityAt_idx" ON "GatewaySession"("activityAt");
CREATE INDEX "GatewaySession_agentId_idx" ON "GatewaySession"("agentId");

CREATE TABLE "CronJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gatewayId" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "gatewayAgentId" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "schedule" TEXT NOT NULL,
    "nextRunAt" DATETIME,
    "lastRunAt" DATETIME,
    "lastStatus" TEXT,
    "lastDurationMs" INTEGER,
    "consecutiveErrors" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "runningAt" DATETIME,
    "raw" TEXT NOT NULL DEFAULT '{}',
    "syncedAt" DATETIME NOT NULL,
    CONSTRAINT "CronJob_gatewayId_fkey" FOREIGN KEY ("gatewayId") REFERENCES "Gateway" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "CronJob_gatewayId_jobId_key" ON "CronJob"("gatewayId", "jobId");

CREATE TABLE "CronRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gatewayId" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "runAt" DATETIME NOT NULL,
    "durationMs" INTEGER,
    "summary" TEXT,
    "error" TEXT,
    "model" TEXT,
    "provider" TEXT,
    "sessionKey" TEXT,
    "inputTokens" INTEGER,
    "outputTokens" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CronRun_gatewayId_fkey" FOREIGN KEY ("gatewayId") REFERENCES "Gateway" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "CronRun_gatewayId_runId_key" ON "CronRun"("gatewayId", "runId");
CREATE INDEX "CronRun_gatewayId_jobId_runAt_idx" ON "CronRun"("gatewayId", "jobId", "runAt");
