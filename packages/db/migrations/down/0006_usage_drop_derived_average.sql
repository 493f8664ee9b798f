ALTER TABLE "agent_usage_stats" ADD COLUMN "avg_response_time_ms" bigint GENERATED ALWAYS AS (total_duration_ms / nullif(total_executions, 0)) STORED;
