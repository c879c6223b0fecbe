-- Costs: one-dimension rollup slices per UTC hour and UTC day (all | agentId | model | provider | gatewayId |
-- source | taskId). The cost page's totals, breakdowns and series read these few rows instead of the
-- full-dimension hourly rollup (which stays for filtered and multi-dimension queries). '' = absent key.
CREATE TABLE "UsageRollupSlice" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "dimension" TEXT NOT NULL,
    "grain" TEXT NOT NULL,
    "start" DATETIME NOT NULL,
    "key" TEXT NOT NULL DEFAULT '',
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
CREATE UNIQUE INDEX "UsageRollupSlice_dimension_grain_start_key_key" ON "UsageRollupSlice"("dimension", "grain", "start", "key");

-- Backfill from the hourly rollup (same sums; it already holds every record).
INSERT INTO "UsageRollupSlice" ("dimension", "grain", "start", "key", "records", "unpricedRecords", "inputTokens", "outputTokens", "cacheReadTokens",
    "cacheWriteTokens", "unpricedTokens", "costNanos", "cacheSavedNanos")
SELECT d.dimension, g.grain, CASE g.grain WHEN 'hour' THEN r."hourStart" ELSE substr(r."hourStart", 1, 10) || 'T00:00:00.000+00:00' END,
    CASE d.dimension WHEN 'all' THEN '' WHEN 'agentId' THEN r."agentId" WHEN 'model' THEN r."model" WHEN 'provider' THEN r."provider"
        WHEN 'gatewayId' THEN r."gatewayId" WHEN 'source' THEN r."source" ELSE r."taskId" END,
    SUM(r."records"), SUM(r."unpricedRecords"), SUM(r."inputTokens"), SUM(r."outputTokens"), SUM(r."cacheReadTokens"), SUM(r."cacheWriteTokens"),
    SUM(r."unpricedTokens"), SUM(r."costNanos"), SUM(r."cacheSavedNanos")
FROM "UsageRollupHourly" r
CROSS JOIN (SELECT 'all' AS dimension UNION ALL SELECT 'agentId' UNION ALL SELECT 'model' UNION ALL SELECT 'provider' UNION ALL SELECT 'gatewayId'
    UNION ALL SELECT 'source' UNION ALL SELECT 'taskId') d
CROSS JOIN (SELECT 'hour' AS grain UNION ALL SELECT 'day') g
GROUP BY 1, 2, 3, 4;
