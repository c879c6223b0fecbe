-- Pipelines (issue #10): versioned templates of step DAGs, runs, and one row per step of a run.
-- A step's work is a real Task (PipelineStepRun.taskId); the Task table is unchanged.
CREATE TABLE "PipelineTemplate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "currentVersion" INTEGER NOT NULL DEFAULT 1,
    "schedule" TEXT,
    "timeZone" TEXT,
    "scheduleEnabled" BOOLEAN NOT NULL DEFAULT false,
    "nextRunAt" DATETIME,
    "lastScheduledAt" DATETIME,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "PipelineTemplate_name_key" ON "PipelineTemplate"("name");
CREATE INDEX "PipelineTemplate_scheduleEnabled_nextRunAt_idx" ON "PipelineTemplate"("scheduleEnabled", "nextRunAt");

CREATE TABLE "PipelineTemplateVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "templateId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "steps" TEXT NOT NULL,
    "variables" TEXT NOT NULL DEFAULT '[]',
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PipelineTemplateVersion_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "PipelineTemplate" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "PipelineTemplateVersion_templateId_version_key" ON "PipelineTemplateVersion"("templateId", "version");

CREATE TABLE "PipelineRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "templateId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "variables" TEXT NOT NULL DEFAULT '{}',
    "trigger" TEXT NOT NULL,
    "scheduledFor" DATETIME,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "failureReason" TEXT,
    "createdByType" TEXT NOT NULL,
    "createdById" TEXT,
    "createdByName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PipelineRun_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "PipelineTemplate" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "PipelineRun_templateId_scheduledFor_key" ON "PipelineRun"("templateId", "scheduledFor");
CREATE INDEX "PipelineRun_templateId_createdAt_idx" ON "PipelineRun"("templateId", "createdAt");
CREATE INDEX "PipelineRun_status_idx" ON "PipelineRun"("status");

CREATE TABLE "PipelineStepRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "stepKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "taskId" TEXT,
    "attemptTaskIds" TEXT NOT NULL DEFAULT '[]',
    "agentId" TEXT,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "lastError" TEXT,
    CONSTRAINT "PipelineStepRun_runId_fkey" FOREIGN KEY ("runId") REFERENCES "PipelineRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "PipelineStepRun_runId_stepKey_key" ON "PipelineStepRun"("runId", "stepKey");
CREATE INDEX "PipelineStepRun_taskId_idx" ON "PipelineStepRun"("taskId");
