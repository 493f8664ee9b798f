export * from "./agent-resources";
export * from "./agents";
export * from "./audit";
export * from "./executions";
export * from "./relations";
export * from "./tenancy";
export * from "./tools";
export * from "./usage";
