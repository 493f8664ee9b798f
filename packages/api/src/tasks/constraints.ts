import { constraintMessages } from "../constraint-messages";

// The tasks and task_context tables' constraints, as a caller should read them (errors.ts maps the codes).
// The service checks each first and names the rows; these are the answers when a concurrent
// request gets in between.
constraintMessages({
  missingReference: {
    tasks_tenant_crew_fkey: "crew not found",
    tasks_tenant_crew_member_fkey: "agentId: the agent is not (or no longer) a member of the task's crew",
    task_context_tenant_task_fkey: "task not found",
    task_context_tenant_context_task_fkey: "context: a task it names is not (or no longer) a task of the same crew",
  },
  stillReferenced: {
    tasks_tenant_crew_member_fkey: "tasks are assigned to this member: reassign or delete them before removing it from the crew",
    task_context_tenant_context_task_fkey: "other tasks take this task as context: remove it from their context first",
  },
});
