import { z } from "zod";

import { idSchema, isoDateTimeSchema, pageInput, pageSchema, textSchema } from "./common";
import { crewLimits } from "./domain";
import { jsonObjectSchema } from "./json";

const taskPosition = z
  .number()
  .int("position must be a whole number")
  .min(0, "position must be at least 0")
  .max(crewLimits.tasksMax - 1, `position must be at most ${crewLimits.tasksMax - 1}`);

/**
 * The tasks whose output this task uses (CrewAI's `context`): tasks of the same crew, unique, at
 * most `crewLimits.taskContextMax`; a loop (a task needing, through others, its own output) is a 400.
 */
const context = z
  .array(idSchema)
  .max(crewLimits.taskContextMax, `a task takes at most ${crewLimits.taskContextMax} other tasks as context`)
  .refine((ids) => new Set(ids).size === ids.length, "each task may be named once");

/**
 * The JSON Schema the answer must match (CrewAI's `output_json`): an object schema, checked by the
 * API against the meta-schema as tools' parameters are; null is free text.
 */
const outputFormat = jsonObjectSchema(crewLimits.taskOutputFormatBytesMax).nullable();

const taskFields = {
  title: textSchema(crewLimits.taskTitleMax, 1),
  description: textSchema(crewLimits.taskDescriptionMax, 1),
  expectedOutput: textSchema(crewLimits.taskExpectedOutputMax, 1),
  /** The assignee: a member agent of the task's crew. */
  agentId: idSchema,
};

export const createTaskInput = z.strictObject({
  crewId: idSchema,
  ...taskFields,
  /** Where it goes in the crew's order; left out: after the last task. Ties are ordered by id. */
  position: taskPosition.optional(),
  context: context.optional(),
  outputFormat: outputFormat.optional(),
});
export type CreateTaskInput = z.output<typeof createTaskInput>;

/** A patch: only the fields present change; `context` replaces the set. `expectedVersion` guards against lost updates. */
export const updateTaskInput = z
  .strictObject({
    id: idSchema,
    expectedVersion: z.number().int().min(1),
    title: taskFields.title.optional(),
    description: taskFields.description.optional(),
    expectedOutput: taskFields.expectedOutput.optional(),
    agentId: idSchema.optional(),
    position: taskPosition.optional(),
    context: context.optional(),
    outputFormat: outputFormat.optional(),
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== "id" && key !== "expectedVersion"), {
    message: "nothing to update: send at least one field besides id and expectedVersion",
  });
export type UpdateTaskInput = z.output<typeof updateTaskInput>;

export const taskIdInput = z.strictObject({ id: idSchema });
export type TaskIdInput = z.output<typeof taskIdInput>;

/** One crew's tasks in the crew's order (position, then id), keyset-paged. */
export const listTasksInput = z.strictObject({ crewId: idSchema, ...pageInput });
export type ListTasksInput = z.output<typeof listTasksInput>;

export const taskSchema = z.object({
  id: idSchema,
  crewId: idSchema,
  title: z.string(),
  description: z.string(),
  expectedOutput: z.string(),
  agentId: idSchema,
  position: z.number().int(),
  /** The ids of the tasks it takes as context, in the crew's order. */
  context: z.array(idSchema),
  outputFormat: z.record(z.string(), z.unknown()).nullable(),
  version: z.number().int(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Task = z.infer<typeof taskSchema>;

export const taskPageSchema = pageSchema(taskSchema);
