export * from "./tenancy";
export * from "./agents";
export * from "./executions";
export * from "./usage";
export * from "./audit";
export * from "./relations";
