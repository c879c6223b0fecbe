-- Costs: hourly usage rollups, price overrides and versions, re-pricing runs, budgets and their alerts.
-- Rollup dimensions use '' for "absent" (SQLite unique indexes treat NULLs as distinct); model is the
-- resolved price-table key, or the reported id when unpriced. Hours are UTC, stored as Prisma's text.
ALTER TABLE "UsageRecord" ADD COLUMN "cacheSavedNanos" BIGINT;

CREATE TABLE "UsageRollupHourly" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "hourStart" DATETIME NOT NULL,
    "agentId" TEXT NOT NULL DEFAULT '',
    "model" TEXT NOT NULL,
    "provider" TEXT NOT NULL DEFAULT '',
    "gatewayId" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL,
    "taskId" TEXT NOT NULL DEFAULT '',
    "records" INTEGER NOT NULL DEFAULT 0,
    "unpricedRecords" INTEGER NOT NULL DEFAULT 0,
    "inputTokens" BIGINT NOT NULL DEFAULT 0,
    "outputTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheReadTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheWriteTokens" BIGINT NOT NULL DEFAULT 0,
    "unpricedTokens" BIGINT NOT NULL DEFAULT 0,
    "costNanos" BIGINT NOT NULL DEFAULT 0,
    "cacheSavedNanos" BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX "UsageRollupHourly_hourStart_agentId_model_provider_gatewayId_source_taskId_key" ON "UsageRollupHourly"("hourStart", "agentId", "model", "provider", "gatewayId", "source", "taskId");
CREATE INDEX "UsageRollupHourly_agentId_hourStart_idx" ON "UsageRollupHourly"("agentId", "hourStart");
CREATE INDEX "UsageRollupHourly_taskId_hourStart_idx" ON "UsageRollupHourly"("taskId", "hourStart");

-- Records written before this migration: rolled up once here (their cache savings are unknown: 0).
INSERT INTO "UsageRollupHourly" ("hourStart", "agentId", "model", "provider", "gatewayId", "source", "taskId", "records", "unpricedRecords",
    "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "unpricedTokens", "costNanos", "cacheSavedNanos")
SELECT substr("occurredAt", 1, 13) || ':00:00.000+00:00', COALESCE("agentId", ''), COALESCE("resolvedModel", "model"), COALESCE("provider", ''),
    COALESCE("gatewayId", ''), "source", COALESCE("taskId", ''), COUNT(*), SUM("costNanos" IS NULL),
    SUM("inputTokens"), SUM("outputTokens"), SUM("cacheReadTokens"), SUM("cacheWriteTokens"),
    SUM(CASE WHEN "costNanos" IS NULL THEN "inputTokens" + "outputTokens" + "cacheReadTokens" + "cacheWriteTokens" ELSE 0 END),
    COALESCE(SUM("costNanos"), 0), COALESCE(SUM("cacheSavedNanos"), 0)
FROM "UsageRecord"
GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE TABLE "PriceOverride" (
    "model" TEXT NOT NULL PRIMARY KEY,
    "entry" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

CREATE TABLE "PriceTableVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "version" TEXT NOT NULL,
    "baseVersion" TEXT NOT NULL,
    "overrides" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "PriceTableVersion_version_key" ON "PriceTableVersion"("version");

CREATE TABLE "RepricingRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fromAt" DATETIME NOT NULL,
    "toAt" DATETIME NOT NULL,
    "models" TEXT NOT NULL,
    "toVersion" TEXT NOT NULL,
    "records" INTEGER NOT NULL,
    "changedRecords" INTEGER NOT NULL,
    "newlyPriced" INTEGER NOT NULL,
    "oldCostNanos" BIGINT NOT NULL,
    "newCostNanos" BIGINT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "RepricingRun_createdAt_idx" ON "RepricingRun"("createdAt");

CREATE TABLE "Budget" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "scopeValue" TEXT NOT NULL DEFAULT '',
    "period" TEXT NOT NULL,
    "limitNanos" BIGINT NOT NULL,
    "thresholds" TEXT NOT NULL DEFAULT '[50,80,100]',
    "hard" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

CREATE TABLE "BudgetAlert" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "budgetId" TEXT NOT NULL,
    "periodStart" DATETIME NOT NULL,
    "threshold" INTEGER NOT NULL,
    "spentNanos" BIGINT NOT NULL,
    "limitNanos" BIGINT NOT NULL,
    "eventId" INTEGER,
    "firedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BudgetAlert_budgetId_fkey" FOREIGN KEY ("budgetId") REFERENCES "Budget" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "BudgetAlert_budgetId_periodStart_threshold_key" ON "BudgetAlert"("budgetId", "periodStart", "threshold");
CREATE INDEX "BudgetAlert_firedAt_idx" ON "BudgetAlert"("firedAt");

CREATE TABLE "BudgetSpend" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "budgetId" TEXT NOT NULL,
    "periodStart" DATETIME NOT NULL,
    "spentNanos" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "BudgetSpend_budgetId_fkey" FOREIGN KEY ("budgetId") REFERENCES "Budget" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "BudgetSpend_budgetId_periodStart_key" ON "BudgetSpend"("budgetId", "periodStart");
