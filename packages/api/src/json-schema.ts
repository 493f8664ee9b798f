/**
 * JSON Schemas callers store: a tool's `parameters` (an object of arguments) and a task's
 * `outputFormat` (the object its answer must be). Checked against the meta-schema with
 * @cfworker/json-schema (no eval, so it runs on the edge; ajv does not).
 *
 * The meta-schema is draft-07's, with the keywords draft 2020-12 added (`$defs`, `prefixItems`,
 * `dependentSchemas`, …) typed as 2020-12 types them, so a schema of either draft is held to its
 * keywords' shapes. Unknown keywords pass, as both drafts allow.
 */
import { type Schema, Validator } from "@cfworker/json-schema";

import { BadRequest } from "./domain-errors";

const draft07 = "http://json-schema.org/draft-07/schema";
const draft2020 = "https://json-schema.org/draft/2020-12/schema";
const acceptedDrafts = new Set([draft07, `${draft07}#`, draft2020, `${draft2020}#`]);

const schemaArray: Schema = { type: "array", minItems: 1, items: { $ref: "#" } };
const nonNegativeInteger: Schema = { type: "integer", minimum: 0 };
const schemaMap: Schema = { type: "object", additionalProperties: { $ref: "#" } };
const stringArray: Schema = { type: "array", items: { type: "string" }, uniqueItems: true };
const simpleTypes: Schema = { enum: ["array", "boolean", "integer", "null", "number", "object", "string"] };

const metaSchema: Schema = {
  $id: "urn:agent-builder:stored-json-schema-meta-schema",
  type: ["object", "boolean"],
  properties: {
    $id: { type: "string" },
    $schema: { type: "string" },
    $ref: { type: "string" },
    $comment: { type: "string" },
    $anchor: { type: "string", pattern: "^[A-Za-z_][-A-Za-z0-9._]*$" },
    $dynamicRef: { type: "string" },
    $dynamicAnchor: { type: "string" },
    $defs: schemaMap,
    definitions: schemaMap,
    title: { type: "string" },
    description: { type: "string" },
    default: true,
    deprecated: { type: "boolean" },
    readOnly: { type: "boolean" },
    writeOnly: { type: "boolean" },
    examples: { type: "array" },
    multipleOf: { type: "number", exclusiveMinimum: 0 },
    maximum: { type: "number" },
    exclusiveMaximum: { type: "number" },
    minimum: { type: "number" },
    exclusiveMinimum: { type: "number" },
    maxLength: nonNegativeInteger,
    minLength: nonNegativeInteger,
    pattern: { type: "string", format: "regex" },
    additionalItems: { $ref: "#" },
    items: { anyOf: [{ $ref: "#" }, schemaArray] },
    prefixItems: schemaArray,
    maxItems: nonNegativeInteger,
    minItems: nonNegativeInteger,
    uniqueItems: { type: "boolean" },
    contains: { $ref: "#" },
    maxContains: nonNegativeInteger,
    minContains: nonNegativeInteger,
    maxProperties: nonNegativeInteger,
    minProperties: nonNegativeInteger,
    required: stringArray,
    additionalProperties: { $ref: "#" },
    properties: schemaMap,
    patternProperties: { ...schemaMap, propertyNames: { format: "regex" } },
    dependencies: { type: "object", additionalProperties: { anyOf: [{ $ref: "#" }, stringArray] } },
    dependentRequired: { type: "object", additionalProperties: stringArray },
    dependentSchemas: schemaMap,
    propertyNames: { $ref: "#" },
    unevaluatedItems: { $ref: "#" },
    unevaluatedProperties: { $ref: "#" },
    const: true,
    enum: { type: "array" },
    type: { anyOf: [simpleTypes, { type: "array", items: simpleTypes, minItems: 1, uniqueItems: true }] },
    format: { type: "string" },
    contentMediaType: { type: "string" },
    contentEncoding: { type: "string" },
    contentSchema: { $ref: "#" },
    if: { $ref: "#" },
    then: { $ref: "#" },
    else: { $ref: "#" },
    allOf: schemaArray,
    anyOf: schemaArray,
    oneOf: schemaArray,
    not: { $ref: "#" },
  },
};

const metaValidator = new Validator(metaSchema, "2020-12", false);

/** Keywords whose errors only say "something below failed"; the error below says what. */
const summaryKeywords = new Set(["properties", "additionalProperties", "items", "$ref", "anyOf", "allOf", "patternProperties"]);

/**
 * Throws BadRequest saying where and why `parameters` is not a JSON Schema for a tool's
 * arguments: not a schema (by the meta-schema), a draft other than 07 or 2020-12, not
 * `type: "object"` at the top, or references that do not resolve.
 */
export function checkParametersSchema(parameters: Record<string, unknown>): void {
  checkObjectSchema(
    "parameters",
    parameters,
    'parameters must describe the tool\'s arguments as an object: { "type": "object", "properties": { … } }',
  );
}

/**
 * Throws BadRequest saying where and why a task's `outputFormat` is not a JSON Schema of the
 * object its answer must be (what providers' structured output takes), as for tools' parameters.
 */
export function checkOutputFormatSchema(outputFormat: Record<string, unknown>): void {
  checkObjectSchema(
    "outputFormat",
    outputFormat,
    'outputFormat must describe the answer as an object: { "type": "object", "properties": { … } }',
  );
}

/** The checks of both: the meta-schema, the draft, `type: "object"` at the top, local references only. `field` names the input in messages. */
function checkObjectSchema(field: string, schema: Record<string, unknown>, notAnObject: string): void {
  const result = metaValidator.validate(schema);
  if (!result.valid) {
    const specific = result.errors.filter((e) => !summaryKeywords.has(e.keyword));
    const shown = (specific.length ? specific : result.errors).slice(0, 3);
    const where = shown.map((e) => `${e.instanceLocation.replace(/^#/, "") || "/"}: ${e.error}`).join("; ");
    throw new BadRequest(`${field} is not a valid JSON Schema: ${where}`);
  }
  const declared = schema.$schema;
  if (typeof declared === "string" && !acceptedDrafts.has(declared)) {
    throw new BadRequest(`${field}: $schema ${declared} is not supported; use draft 2020-12 (${draft2020}) or draft-07 (${draft07}#)`);
  }
  if (schema.type !== "object") throw new BadRequest(notAnObject);
  const unresolved = unresolvedReference(schema);
  if (unresolved) throw new BadRequest(`${field}: $ref ${unresolved} does not resolve (only references inside the schema are allowed)`);
  try {
    const validator = new Validator(schema as Schema, declared === draft07 || declared === `${draft07}#` ? "7" : "2020-12");
    validator.validate({});
  } catch (error) {
    throw new BadRequest(`${field} is not a usable JSON Schema: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The first `$ref` that does not point inside the schema (a JSON pointer or an `$anchor`), or null. */
function unresolvedReference(root: Record<string, unknown>): string | null {
  const refs: string[] = [];
  const anchors = new Set<string>();
  const stack: unknown[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (Array.isArray(node)) {
      stack.push(...node);
    } else if (node !== null && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (typeof record.$ref === "string") refs.push(record.$ref);
      if (typeof record.$anchor === "string") anchors.add(record.$anchor);
      if (typeof record.$dynamicAnchor === "string") anchors.add(record.$dynamicAnchor);
      stack.push(...Object.values(record));
    }
  }
  for (const ref of refs) {
    if (ref === "#") continue;
    if (!ref.startsWith("#")) return ref;
    if (!ref.startsWith("#/")) {
      if (!anchors.has(ref.slice(1))) return ref;
      continue;
    }
    let target: unknown = root;
    for (const raw of ref.slice(2).split("/")) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      target = target !== null && typeof target === "object" ? (target as Record<string, unknown>)[key] : undefined;
      if (target === undefined) return ref;
    }
  }
  return null;
}
