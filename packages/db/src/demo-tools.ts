import type { ToolLanguage, ToolType } from "@agent-builder/contracts";

/**
 * The demo tools of each demo tenant, in seeding order, and which of the tenant's demo agents
 * use them (agent_resources rows). Written as the API stores them: parameters a JSON Schema the
 * API's meta-schema check accepts, tags lower case, code and language on code tools only.
 */
export interface DemoTool {
  name: string;
  description: string;
  type: ToolType;
  parameters: Record<string, unknown>;
  configuration: Record<string, unknown>;
  /**
   * Plaintext demo credentials (public, like the agents' `sk-demo-` keys). Sealed when the code
   * that seeds holds a keyring (`pnpm dev`, apps/server/src/dev.ts); left out otherwise.
   */
  secrets?: Record<string, string>;
  code?: { language: ToolLanguage; source: string };
  usageExamples: string[];
  tags: string[];
  /** Who created it: the tenant's admin or first member. */
  createdBy: "admin" | "member";
  /** The demo agents (by name) that have it attached, with the attachment's own fields. */
  attachedTo: Array<{ agent: string; position: number; enabled?: boolean; configuration?: Record<string, unknown> }>;
}

const readability = `import re


def run(text: str) -> dict:
    """Flesch reading ease and grade level of an English text."""
    sentences = max(1, len(re.findall(r"[.!?]+", text)))
    words = re.findall(r"[A-Za-z']+", text)
    syllables = sum(max(1, len(re.findall(r"[aeiouy]+", w.lower()))) for w in words)
    n = max(1, len(words))
    ease = 206.835 - 1.015 * (n / sentences) - 84.6 * (syllables / n)
    grade = 0.39 * (n / sentences) + 11.8 * (syllables / n) - 15.59
    return {"words": n, "reading_ease": round(ease, 1), "grade_level": round(grade, 1)}
`;

const utmLink = `export function run({ url, source, medium, campaign, content }) {
  const link = new URL(url);
  link.searchParams.set("utm_source", source);
  link.searchParams.set("utm_medium", medium);
  link.searchParams.set("utm_campaign", campaign);
  if (content) link.searchParams.set("utm_content", content);
  return { url: link.toString() };
}
`;

const forecastVariance = `import statistics


def run(actuals: list[float], forecast: list[float]) -> dict:
    """How far the forecast was off, period by period, and overall."""
    if len(actuals) != len(forecast):
        raise ValueError("actuals and forecast need the same number of periods")
    errors = [a - f for a, f in zip(actuals, forecast)]
    mape = statistics.fmean(abs(e) / a for e, a in zip(errors, actuals) if a) * 100
    return {
        "errors": errors,
        "bias": round(statistics.fmean(errors), 2),
        "mape_percent": round(mape, 1),
    }
`;

export const demoTools: Readonly<Record<string, readonly DemoTool[]>> = {
  acme: [
    {
      name: "zendesk_search_tickets",
      description: "Searches the Zendesk help desk for tickets matching a query, newest first.",
      type: "http",
      parameters: {
        type: "object",
        properties: {
          query: { type: "string", minLength: 1, description: "Zendesk search syntax, e.g. status:open requester:ada@example.com" },
          limit: { type: "integer", minimum: 1, maximum: 100, default: 25 },
        },
        required: ["query"],
        additionalProperties: false,
      },
      configuration: {
        method: "GET",
        url: "https://acme.zendesk.com/api/v2/search.json",
        query: { query: "type:ticket {{query}}", per_page: "{{limit}}", sort_order: "desc" },
        headers: { Authorization: "Bearer {{secrets.ZENDESK_API_TOKEN}}" },
        timeoutMs: 10_000,
      },
      secrets: { ZENDESK_API_TOKEN: "zd-demo-acme-token-7f3a9c21" },
      usageExamples: ["Find open tickets from ada@example.com", "Tickets mentioning 'refund' created this week"],
      tags: ["support", "zendesk"],
      createdBy: "admin",
      attachedTo: [
        { agent: "Support triage", position: 0, configuration: { defaultQuery: "status:new" } },
        { agent: "Refund assistant", position: 1 },
        { agent: "Onboarding guide", position: 0, enabled: false },
      ],
    },
    {
      name: "issue_refund",
      description: "Issues a full or partial refund for an order through the billing service.",
      type: "function",
      parameters: {
        type: "object",
        properties: {
          orderId: { type: "string", pattern: "^ord_[A-Za-z0-9]+$" },
          amountCents: { type: "integer", minimum: 1 },
          reason: { type: "string", enum: ["damaged", "late", "not_as_described", "goodwill"] },
        },
        required: ["orderId", "amountCents", "reason"],
        additionalProperties: false,
      },
      configuration: { handler: "billing.refunds.create", requiresApproval: true, currency: "USD" },
      usageExamples: ['{"orderId": "ord_8Kd2", "amountCents": 1999, "reason": "late"}'],
      tags: ["billing", "refunds"],
      createdBy: "admin",
      attachedTo: [{ agent: "Refund assistant", position: 0, configuration: { maxAmountCents: 20_000 } }],
    },
    {
      name: "web_search",
      description: "Searches the web and returns the top results with title, link and snippet.",
      type: "builtin",
      parameters: {
        type: "object",
        properties: {
          query: { type: "string", minLength: 1 },
          maxResults: { type: "integer", minimum: 1, maximum: 10, default: 5 },
        },
        required: ["query"],
      },
      configuration: { builtin: "web_search", safeSearch: "moderate", region: "us-en" },
      usageExamples: [
        "Latest guidance on retrieval-augmented generation evaluation",
        "competitor pricing page for project management tools",
      ],
      tags: ["research", "search"],
      createdBy: "member",
      attachedTo: [
        { agent: "Literature scout", position: 1 },
        { agent: "SEO reviewer", position: 0, configuration: { maxResults: 10 } },
      ],
    },
    {
      name: "arxiv_papers",
      description: "Finds and fetches arXiv papers through the research team's MCP server.",
      type: "mcp",
      parameters: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: {
          query: { type: "string", minLength: 1 },
          categories: { type: "array", items: { type: "string" }, examples: [["cs.CL", "cs.LG"]] },
          since: { type: "string", format: "date" },
        },
        required: ["query"],
      },
      configuration: { serverUrl: "https://mcp.acme.test/arxiv", transport: "streamable-http", toolName: "search_papers" },
      usageExamples: ["Papers on tool use by language models since 2025-01-01", "Surveys of agent benchmarks in cs.AI"],
      tags: ["papers", "research"],
      createdBy: "member",
      attachedTo: [
        { agent: "Literature scout", position: 0 },
        { agent: "Paper summariser", position: 0, configuration: { fetchFullText: true } },
      ],
    },
    {
      name: "readability_score",
      description: "Scores how easy an English text is to read (Flesch reading ease and grade level).",
      type: "code",
      parameters: {
        type: "object",
        properties: { text: { type: "string", minLength: 1, maxLength: 50_000 } },
        required: ["text"],
      },
      configuration: { timeoutMs: 2_000, memoryMb: 128 },
      code: { language: "python", source: readability },
      usageExamples: ['{"text": "Our new plan saves you time. Try it free for 30 days."}'],
      tags: ["copywriting", "seo"],
      createdBy: "member",
      attachedTo: [
        { agent: "SEO reviewer", position: 1 },
        { agent: "Campaign copywriter", position: 1, enabled: false },
      ],
    },
    {
      name: "utm_link_builder",
      description: "Adds UTM campaign parameters to a landing page link.",
      type: "code",
      parameters: {
        type: "object",
        properties: {
          url: { type: "string", format: "uri" },
          source: { type: "string" },
          medium: { type: "string", enum: ["email", "social", "cpc", "newsletter"] },
          campaign: { type: "string" },
          content: { type: "string" },
        },
        required: ["url", "source", "medium", "campaign"],
      },
      configuration: { timeoutMs: 1_000 },
      code: { language: "javascript", source: utmLink },
      usageExamples: ['{"url": "https://acme.test/pricing", "source": "linkedin", "medium": "social", "campaign": "spring-launch"}'],
      tags: ["campaigns", "marketing"],
      createdBy: "member",
      attachedTo: [{ agent: "Campaign copywriter", position: 0 }],
    },
    {
      name: "hubspot_contact_lookup",
      description: "Looks a contact up in HubSpot by email: company, lifecycle stage and recent activity.",
      type: "http",
      parameters: {
        type: "object",
        properties: { email: { type: "string", format: "email" } },
        required: ["email"],
        additionalProperties: false,
      },
      configuration: {
        method: "GET",
        url: "https://api.hubapi.com/crm/v3/objects/contacts/{{email}}",
        query: { idProperty: "email", properties: "company,lifecyclestage,hs_last_sales_activity_date" },
        headers: { Authorization: "Bearer {{secrets.HUBSPOT_PRIVATE_APP_TOKEN}}" },
        timeoutMs: 8_000,
      },
      secrets: { HUBSPOT_PRIVATE_APP_TOKEN: "pat-demo-acme-5e1b2d0c4a98" },
      usageExamples: ["Who is jordan@northwind.test and how far along are they?"],
      tags: ["crm", "sales"],
      createdBy: "admin",
      attachedTo: [{ agent: "Lead qualifier", position: 0 }],
    },
  ],
  globex: [
    {
      name: "pagerduty_incidents",
      description: "Lists open PagerDuty incidents, or acknowledges one, for the on-call engineer.",
      type: "http",
      parameters: {
        type: "object",
        properties: {
          action: { type: "string", enum: ["list", "acknowledge"] },
          incidentId: { type: "string" },
          urgency: { type: "string", enum: ["high", "low"] },
        },
        required: ["action"],
      },
      configuration: {
        method: "GET",
        url: "https://api.pagerduty.com/incidents",
        query: { "statuses[]": "triggered", urgencies: "{{urgency}}" },
        headers: { Authorization: "Token token={{secrets.PAGERDUTY_API_KEY}}", Accept: "application/json" },
        timeoutMs: 10_000,
      },
      secrets: { PAGERDUTY_API_KEY: "pd-demo-globex-u+2Qx9wz81" },
      usageExamples: ["Which high-urgency incidents are open right now?", '{"action": "acknowledge", "incidentId": "Q1ABCDEF"}'],
      tags: ["incidents", "on-call"],
      createdBy: "admin",
      attachedTo: [{ agent: "Incident responder", position: 0 }],
    },
    {
      name: "post_status_update",
      description: "Posts an incident update to the public status page and the #incidents channel.",
      type: "function",
      parameters: {
        type: "object",
        properties: {
          status: { type: "string", enum: ["investigating", "identified", "monitoring", "resolved"] },
          message: { type: "string", minLength: 1, maxLength: 2_000 },
          components: { type: "array", items: { type: "string" }, uniqueItems: true },
        },
        required: ["status", "message"],
      },
      configuration: { handler: "statuspage.incidents.update", notifySubscribers: true },
      usageExamples: ['{"status": "identified", "message": "We found the cause of slow logins and are rolling out a fix."}'],
      tags: ["incidents", "communication"],
      createdBy: "admin",
      attachedTo: [{ agent: "Incident responder", position: 1, configuration: { requireConfirmation: true } }],
    },
    {
      name: "policy_handbook",
      description: "Searches the employee handbook and returns the passages with their section numbers.",
      type: "mcp",
      parameters: {
        type: "object",
        properties: { question: { type: "string", minLength: 1 }, topK: { type: "integer", minimum: 1, maximum: 8, default: 4 } },
        required: ["question"],
      },
      configuration: { serverUrl: "https://mcp.globex.test/handbook", transport: "sse", toolName: "search_handbook" },
      usageExamples: ["How many days of parental leave do we offer?", "Can I expense a home office chair?"],
      tags: ["policies", "knowledge"],
      createdBy: "member",
      attachedTo: [{ agent: "Policy Q&A", position: 0 }],
    },
    {
      name: "translate_text",
      description: "Translates text between languages, keeping the client's glossary terms.",
      type: "builtin",
      parameters: {
        type: "object",
        properties: {
          text: { type: "string", minLength: 1 },
          targetLanguage: { type: "string", pattern: "^[a-z]{2}(-[A-Z]{2})?$" },
          formality: { type: "string", enum: ["default", "formal", "informal"] },
        },
        required: ["text", "targetLanguage"],
      },
      configuration: { builtin: "translate", glossary: "globex-terms" },
      usageExamples: ['{"text": "Your order has shipped.", "targetLanguage": "de-DE", "formality": "formal"}'],
      tags: ["languages", "translation"],
      createdBy: "member",
      attachedTo: [{ agent: "Translation helper", position: 0 }],
    },
    {
      name: "forecast_variance",
      description: "Compares a sales forecast with the actuals: error per period, bias and MAPE.",
      type: "code",
      parameters: {
        type: "object",
        properties: {
          actuals: { type: "array", items: { type: "number" }, minItems: 1 },
          forecast: { type: "array", items: { type: "number" }, minItems: 1 },
        },
        required: ["actuals", "forecast"],
      },
      configuration: { timeoutMs: 3_000, memoryMb: 256 },
      code: { language: "python", source: forecastVariance },
      usageExamples: ['{"actuals": [120, 135, 128], "forecast": [110, 140, 130]}'],
      tags: ["analytics", "forecasting"],
      createdBy: "member",
      attachedTo: [
        { agent: "Forecast explainer", position: 0 },
        { agent: "Churn analyst", position: 0, enabled: false },
      ],
    },
  ],
};
