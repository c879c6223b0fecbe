-- Agents: registry, connections, status timeline, usage records with cost at write.
CREATE TABLE "Agent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "role" TEXT,
    "status" TEXT NOT NULL DEFAULT 'offline',
    "activity" TEXT,
    "statusChangedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME,
    "source" TEXT NOT NULL DEFAULT 'sdk',
    "gatewayId" TEXT,
    "toolName" TEXT,
    "toolVersion" TEXT,
    "framework" TEXT,
    "capabilities" TEXT NOT NULL DEFAULT '[]',
    "metadata" TEXT NOT NULL DEFAULT '{}',
    "currentTaskId" TEXT,
    "heartbeatIntervalS" INTEGER NOT NULL DEFAULT 30,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "Agent_name_key" ON "Agent"("name");
CREATE INDEX "Agent_status_lastSeenAt_idx" ON "Agent"("status", "lastSeenAt");
CREATE INDEX "Agent_gatewayId_idx" ON "Agent"("gatewayId");

CREATE TABLE "AgentConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "agentId" TEXT NOT NULL,
    "toolName" TEXT,
    "toolVersion" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    "endReason" TEXT
);
CREATE INDEX "AgentConnection_agentId_endedAt_idx" ON "AgentConnection"("agentId", "endedAt");

CREATE TABLE "AgentActivity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "agentId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "activity" TEXT
);
CREATE INDEX "AgentActivity_agentId_at_idx" ON "AgentActivity"("agentId", "at");

CREATE TABLE "UsageRecord" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "agentId" TEXT,
    "gatewayId" TEXT,
    "sessionKey" TEXT NOT NULL,
    "taskId" TEXT,
    "source" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "resolvedModel" TEXT,
    "provider" TEXT,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheReadTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheWriteTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheWrite1hTokens" INTEGER NOT NULL DEFAULT 0,
    "reasoningTokens" INTEGER NOT NULL DEFAULT 0,
    "costNanos" BIGINT,
    "reportedCostNanos" BIGINT,
    "priceVersion" TEXT NOT NULL,
    "tier" TEXT,
    "billing" TEXT NOT NULL DEFAULT 'unknown',
    "aggregated" BOOLEAN NOT NULL DEFAULT false,
    "subagent" TEXT,
    "dedupeScope" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "UsageRecord_dedupeScope_idempotencyKey_key" ON "UsageRecord"("dedupeScope", "idempotencyKey");
CREATE INDEX "UsageRecord_occurredAt_idx" ON "UsageRecord"("occurredAt");
CREATE INDEX "UsageRecord_agentId_occurredAt_idx" ON "UsageRecord"("agentId", "occurredAt");
CREATE INDEX "UsageRecord_taskId_idx" ON "UsageRecord"("taskId");
CREATE INDEX "UsageRecord_gatewayId_occurredAt_idx" ON "UsageRecord"("gatewayId", "occurredAt");
