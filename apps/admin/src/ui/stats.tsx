import type { ReactNode } from "react";

/** A row of headline figures. */
export function StatGrid({ children }: { children: ReactNode }) {
  return <div className="stat-grid">{children}</div>;
}

/** `compact` for long values (timestamps) that would wrap at the headline size. */
export function Stat({ label, value, hint, compact }: { label: string; value: ReactNode; hint?: ReactNode; compact?: boolean }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className={compact ? "stat-value compact" : "stat-value"}>{value}</div>
      {hint !== undefined && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

export function Section({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="card">
      <header className="card-header">
        <h2>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
