import { describeValue, RunlogError } from "../errors.js";

export type AlertLevel = "INFO" | "WARN" | "ERROR";

export interface AlertOptions {
  title: string;
  text: string;
  level?: AlertLevel;
  /** Milliseconds during which another alert with the same title is dropped (default 60 000). */
  waitDuration?: number;
}

export interface ValidAlert {
  readonly title: string;
  readonly text: string;
  readonly level: AlertLevel;
  readonly waitDuration: number;
}

const LEVELS: readonly AlertLevel[] = ["INFO", "WARN", "ERROR"];

export function validateAlert(options: unknown): ValidAlert {
  if (typeof options !== "object" || options === null) {
    throw new RunlogError("INVALID_ARGUMENT", `alert needs { title, text, level?, waitDuration? }, got ${describeValue(options)}.`);
  }
  const { title, text, level = "INFO", waitDuration = 60_000 } = options as Partial<AlertOptions>;
  if (typeof title !== "string" || title.length === 0 || title.length > 256) {
    throw new RunlogError("INVALID_ARGUMENT", `alert title must be a string of 1–256 characters, got ${describeValue(title)}.`);
  }
  if (typeof text !== "string" || text.length > 64 * 1024) {
    throw new RunlogError("INVALID_ARGUMENT", `alert text must be a string of at most 65536 characters, got ${describeValue(text)}.`);
  }
  const upper = typeof level === "string" ? level.toUpperCase() : level;
  if (!LEVELS.includes(upper as AlertLevel)) {
    throw new RunlogError("INVALID_ARGUMENT", `alert level must be INFO, WARN or ERROR, got ${describeValue(level)}.`);
  }
  if (typeof waitDuration !== "number" || !Number.isFinite(waitDuration) || waitDuration < 0) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `alert waitDuration must be a non-negative number of milliseconds, got ${describeValue(waitDuration)}.`,
    );
  }
  return { title, text, level: upper as AlertLevel, waitDuration };
}

/**
 * W&B throttles by title: after an alert is sent, others with its title are dropped for
 * the waitDuration that alert asked for.
 */
export class AlertThrottle {
  private readonly quietUntil = new Map<string, number>();

  allow(alert: ValidAlert, now = Date.now()): boolean {
    if (now < (this.quietUntil.get(alert.title) ?? 0)) return false;
    this.quietUntil.set(alert.title, now + alert.waitDuration);
    return true;
  }
}

/** Webhook URLs from RUNLOG_ALERT_WEBHOOK (comma or whitespace separated, http/https only). */
export function webhookUrls(env: NodeJS.ProcessEnv = process.env): URL[] {
  const raw = env.RUNLOG_ALERT_WEBHOOK ?? "";
  const urls: URL[] = [];
  for (const part of raw.split(/[\s,]+/).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      throw new RunlogError("INVALID_ARGUMENT", `RUNLOG_ALERT_WEBHOOK contains an invalid URL ${describeValue(part)}.`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new RunlogError("INVALID_ARGUMENT", `RUNLOG_ALERT_WEBHOOK URLs must be http(s), got ${url.protocol}.`);
    }
    urls.push(url);
  }
  return urls;
}

/** POSTs the alert as JSON to each webhook, with a timeout and one retry; failures become warnings. */
export async function deliverAlert(urls: readonly URL[], payload: Record<string, unknown>, warn: (message: string) => void): Promise<void> {
  await Promise.all(
    urls.map(async (url) => {
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(payload),
            signal: AbortSignal.timeout(5_000),
          });
          if (response.ok) return;
          if (attempt === 2 || response.status < 500) {
            warn(`alert webhook ${url.origin} answered ${response.status}; the alert is still stored with the run.`);
            return;
          }
        } catch (error) {
          if (attempt === 2)
            warn(`alert webhook ${url.origin} failed (${(error as Error).message}); the alert is still stored with the run.`);
        }
      }
    }),
  );
}
