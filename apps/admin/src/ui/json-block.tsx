/** A JSON payload (execution input, output, step data) as indented text; long ones scroll inside. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <p className="muted">No {label}.</p>;
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return (
    <pre className="json" aria-label={label}>
      {text}
    </pre>
  );
}
