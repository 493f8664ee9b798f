/**
 * A UTC day typed as yyyy-mm-dd. A text box rather than `<input type="date">`: Chromium draws a
 * date input in the browser's locale (mm/dd/yyyy in en-US, dd.mm.yyyy in German), while every
 * date the panel shows is ISO and UTC, so the filter reads the same way as the rows it filters.
 * `onChange` hears only a real calendar day or null (cleared); anything else is marked invalid.
 */
import { useEffect, useId, useState } from "react";

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/** "2026-11-03" → true; "2026-02-30", "2026-1-3", "03/11/2026" → false. */
export function isIsoDay(text: string): boolean {
  if (!dayPattern.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

export function DayInput({
  name,
  label,
  value,
  onChange,
}: {
  name: string;
  label: string;
  value: string | null;
  onChange: (day: string | null) => void;
}) {
  const [text, setText] = useState(value ?? "");
  const [touched, setTouched] = useState(false);
  const errorId = useId();
  // Follow the URL when it changes from elsewhere (clear filters, back button, a link).
  useEffect(() => setText(value ?? ""), [value]);

  const invalid = text !== "" && !isIsoDay(text);
  const showError = invalid && (touched || text.length >= 10);
  return (
    <label>
      {label}
      <input
        type="text"
        name={name}
        inputMode="numeric"
        autoComplete="off"
        placeholder="yyyy-mm-dd"
        pattern="\d{4}-\d{2}-\d{2}"
        maxLength={10}
        size={10}
        title="A UTC day as yyyy-mm-dd, e.g. 2026-11-03"
        aria-invalid={invalid || undefined}
        aria-describedby={showError ? errorId : undefined}
        value={text}
        onChange={(event) => {
          const next = event.target.value.trim();
          setText(next);
          if (next === "") onChange(null);
          else if (isIsoDay(next)) onChange(next);
        }}
        onBlur={() => setTouched(true)}
      />
      {showError && (
        <span id={errorId} className="field-error" role="alert">
          Not a day: write yyyy-mm-dd
        </span>
      )}
    </label>
  );
}
