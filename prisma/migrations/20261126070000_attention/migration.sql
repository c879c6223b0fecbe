-- Attention view: per-user acknowledgements and snoozes of attention items.
CREATE TABLE "AttentionState" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" TEXT NOT NULL,
    "itemKey" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "until" DATETIME,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "AttentionState_userId_itemKey_key" ON "AttentionState"("userId", "itemKey");
