-- Every heartbeat moves an agent's lastSeenAt, so this index cost a random page write per beat (~10 % of
-- a heartbeat's WAL). Its one reader, the once-a-second overdue check (status <> 'offline'), cannot seek
-- on it anyway and scans the Agent table, which is as cheap.
DROP INDEX IF EXISTS "Agent_status_lastSeenAt_idx";
