export * from "./tenancy";
export * from "./agents";
export * from "./executions";
export * from "./usage";
export * from "./relations";
