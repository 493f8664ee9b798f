import type { CrewProcess, ExecutionStatus, MessageRole } from "@agent-builder/contracts";

/**
 * The demo crews of each demo tenant (their members, tasks and runs) and the demo conversations,
 * in seeding order. Agents are named as in seed.ts's `demoAgents`; members are agents that have
 * tools attached (demo-tools.ts), so a crew run's steps call them. Everything here is fixed: the
 * seed draws nothing from its random sequence for it. Lead qualifier, acme's least-used agent
 * with runs, stays out of every crew: backup-tenant.test deletes that agent, and a crew's member
 * or manager cannot be deleted.
 */
export interface DemoTask {
  title: string;
  description: string;
  expectedOutput: string;
  /** The member (agent name) it is assigned to. */
  assignee: string;
  /** Earlier tasks of the crew (by title) whose output this one reads. */
  context?: string[];
  /** A JSON Schema for the answer; free text when left out. */
  outputFormat?: Record<string, unknown>;
}

export interface DemoCrewRun {
  /** Started this many days (and hours into that day) before the seed's `now`. */
  daysAgo: number;
  hour: number;
  prompt: string;
  /** `failed`: the task at `failedTask` (0-based) fails and the tasks after it never start. */
  outcome: Extract<ExecutionStatus, "succeeded" | "failed">;
  failedTask?: number;
  /** Who started it. */
  by: "admin" | "member" | "service";
}

export interface DemoCrew {
  name: string;
  description: string;
  space: string;
  process: CrewProcess;
  /** A hierarchical crew's manager: an agent of the tenant that is not a member. */
  manager?: string;
  /** Members in order (position 0, 1, ...). */
  members: string[];
  memory?: boolean;
  verbose?: boolean;
  maxIterations?: number;
  owner: "admin" | "member";
  /** Created this many days before `now` (after every member exists). */
  createdDaysAgo: number;
  tasks: DemoTask[];
  runs: DemoCrewRun[];
}

export interface DemoMessage {
  role: MessageRole;
  /** Text, or `parts` (JSON), exactly one. */
  content?: string;
  parts?: Array<Record<string, unknown>>;
  /** The message it answers or follows (1-based seq); default the one before it, none for the first. */
  parent?: number;
  /** Assistant messages only. */
  usage?: { inputTokens: number; outputTokens: number };
  /** Produced by a run of the conversation's agent, made in the conversation (its usage is the run's). */
  run?: boolean;
}

export interface DemoConversation {
  title: string;
  owner: "admin" | "member" | "member2";
  subject: { agent: string } | { crew: string };
  /** Started this many days (and hours) before `now`; messages follow a minute apart. */
  daysAgo: number;
  hour: number;
  archived?: boolean;
  messages: DemoMessage[];
}

const ticketTriage: Record<string, unknown> = {
  type: "object",
  properties: {
    queue: { type: "string", enum: ["billing", "technical", "account", "other"] },
    priority: { type: "string", enum: ["low", "normal", "high", "urgent"] },
    refundRequested: { type: "boolean" },
    summary: { type: "string", maxLength: 280 },
  },
  required: ["queue", "priority", "refundRequested", "summary"],
  additionalProperties: false,
};

const paperList: Record<string, unknown> = {
  type: "object",
  properties: {
    papers: {
      type: "array",
      minItems: 1,
      maxItems: 5,
      items: {
        type: "object",
        properties: { title: { type: "string" }, arxivId: { type: "string" }, why: { type: "string" } },
        required: ["title", "why"],
      },
    },
  },
  required: ["papers"],
};

const statusUpdate: Record<string, unknown> = {
  type: "object",
  properties: {
    severity: { type: "string", enum: ["sev1", "sev2", "sev3"] },
    impact: { type: "string" },
    nextUpdateMinutes: { type: "integer", minimum: 5, maximum: 120 },
  },
  required: ["severity", "impact", "nextUpdateMinutes"],
};

const accountRisk: Record<string, unknown> = {
  type: "object",
  properties: {
    accounts: {
      type: "array",
      items: {
        type: "object",
        properties: {
          account: { type: "string" },
          risk: { type: "string", enum: ["low", "medium", "high"] },
          signals: { type: "array", items: { type: "string" } },
        },
        required: ["account", "risk"],
      },
    },
  },
  required: ["accounts"],
};

export const demoCrews: Readonly<Record<string, readonly DemoCrew[]>> = {
  acme: [
    {
      name: "Support escalation",
      description: "Takes an escalated ticket from triage to a settled refund and a reply the customer can act on.",
      space: "Support",
      process: "sequential",
      members: ["Support triage", "Refund assistant", "Onboarding guide"],
      memory: true,
      owner: "admin",
      createdDaysAgo: 20,
      tasks: [
        {
          title: "Triage the ticket",
          description: "Read the escalated ticket and the customer's recent tickets; decide the queue and priority.",
          expectedOutput: "The queue, the priority, whether a refund is asked for, and a one-line summary.",
          assignee: "Support triage",
          outputFormat: ticketTriage,
        },
        {
          title: "Settle the refund",
          description: "If a refund is asked for, check the order against the refund policy and issue what the policy allows.",
          expectedOutput: "The refund issued (amount and reason) or why none is due.",
          assignee: "Refund assistant",
          context: ["Triage the ticket"],
        },
        {
          title: "Write the customer reply",
          description: "Write the reply to the customer: what happened, what we did, and what they can do next.",
          expectedOutput: "A reply of at most 150 words in the customer's language, signed by the support team.",
          assignee: "Onboarding guide",
          context: ["Triage the ticket", "Settle the refund"],
        },
        {
          title: "Record the follow-up",
          description: "Note on the ticket what was done and whether anyone must follow up, and when.",
          expectedOutput: "An internal note with the outcome and a follow-up date, or 'no follow-up'.",
          assignee: "Support triage",
          context: ["Write the customer reply"],
        },
      ],
      runs: [
        { daysAgo: 9, hour: 10, prompt: "Ticket #4812: charged twice for the annual plan", outcome: "succeeded", by: "member" },
        { daysAgo: 6, hour: 15, prompt: "Ticket #4870: order ord_8Kd2 arrived damaged", outcome: "succeeded", by: "service" },
        {
          daysAgo: 3,
          hour: 11,
          prompt: "Ticket #4901: refund for a cancelled subscription",
          outcome: "failed",
          failedTask: 1,
          by: "service",
        },
        { daysAgo: 1, hour: 9, prompt: "Ticket #4933: cannot log in after the password reset", outcome: "succeeded", by: "member" },
      ],
    },
    {
      name: "Research digest",
      description: "A weekly digest of new papers for the blog: found, checked, summarised, readable.",
      space: "Research",
      process: "hierarchical",
      manager: "Data cleaner",
      members: ["Literature scout", "SEO reviewer"],
      verbose: true,
      maxIterations: 10,
      owner: "member",
      createdDaysAgo: 18,
      tasks: [
        {
          title: "Find this week's papers",
          description: "Search arXiv and the web for papers of the last seven days on the digest's topic.",
          expectedOutput: "Up to five papers, each with its title, arXiv id and why it matters.",
          assignee: "Literature scout",
          outputFormat: paperList,
        },
        {
          title: "Check the sources",
          description: "Open each paper and confirm it says what the list claims; drop any that do not hold up.",
          expectedOutput: "The list, with a note for every paper that was dropped and why.",
          assignee: "Literature scout",
          context: ["Find this week's papers"],
        },
        {
          title: "Write the digest",
          description: "Write the digest post: one paragraph per paper for a reader new to the field.",
          expectedOutput: "A blog post of 400 to 600 words with a title and one heading per paper.",
          assignee: "SEO reviewer",
          context: ["Check the sources"],
        },
        {
          title: "Review readability and search",
          description: "Score the post's readability and tune its title, headings and description for search.",
          expectedOutput: "The final post, its reading ease score and a meta description under 160 characters.",
          assignee: "SEO reviewer",
          context: ["Write the digest"],
        },
      ],
      runs: [
        { daysAgo: 8, hour: 14, prompt: "Digest topic: retrieval-augmented generation", outcome: "succeeded", by: "member" },
        { daysAgo: 1, hour: 14, prompt: "Digest topic: small language models on device", outcome: "succeeded", by: "member" },
      ],
    },
    {
      name: "Launch campaign",
      description: "Launch copy, reviewed for search, with tagged links for every channel.",
      space: "Marketing",
      process: "sequential",
      members: ["Campaign copywriter", "SEO reviewer"],
      owner: "member",
      createdDaysAgo: 12,
      tasks: [
        {
          title: "Draft the launch copy",
          description: "Write the landing page hero, three benefit blocks and the launch email.",
          expectedOutput: "Hero headline and subline, three benefit blocks, an email subject and body.",
          assignee: "Campaign copywriter",
        },
        {
          title: "Review for search",
          description: "Check the landing page copy against the launch keywords without making it worse to read.",
          expectedOutput: "The copy with suggested edits and the keywords each block covers.",
          assignee: "SEO reviewer",
          context: ["Draft the launch copy"],
        },
        {
          title: "Tag the campaign links",
          description: "Build UTM-tagged links for every channel the email and landing page use.",
          expectedOutput: "One tagged link per channel.",
          assignee: "Campaign copywriter",
          context: ["Draft the launch copy"],
        },
      ],
      runs: [{ daysAgo: 5, hour: 16, prompt: "Launch: Acme Insights 2.0", outcome: "succeeded", by: "admin" }],
    },
  ],
  globex: [
    {
      name: "Incident response",
      description: "From the first page to a translated status update for every region.",
      space: "Operations",
      process: "sequential",
      members: ["Incident responder", "Translation helper"],
      owner: "admin",
      createdDaysAgo: 15,
      tasks: [
        {
          title: "Assess the incident",
          description: "Read the open PagerDuty incidents and decide severity and customer impact.",
          expectedOutput: "Severity, impact in one sentence, the affected services.",
          assignee: "Incident responder",
        },
        {
          title: "Draft the status update",
          description: "Write the public status update for the incident and when the next one comes.",
          expectedOutput: "A status update of at most 80 words with the time of the next update.",
          assignee: "Incident responder",
          context: ["Assess the incident"],
          outputFormat: statusUpdate,
        },
        {
          title: "Translate the update",
          description: "Translate the status update into German, French and Japanese, keeping the product's terms.",
          expectedOutput: "The update in each of the three languages.",
          assignee: "Translation helper",
          context: ["Draft the status update"],
        },
      ],
      runs: [
        { daysAgo: 7, hour: 3, prompt: "PD-2291: checkout latency above 2 s in eu-west", outcome: "succeeded", by: "service" },
        {
          daysAgo: 4,
          hour: 22,
          prompt: "PD-2304: payment webhooks failing",
          outcome: "failed",
          failedTask: 0,
          by: "service",
        },
        { daysAgo: 2, hour: 8, prompt: "PD-2310: search index lagging by 20 minutes", outcome: "succeeded", by: "admin" },
      ],
    },
    {
      name: "Account review",
      description: "Monthly review of the accounts at risk and what the forecast says about them.",
      space: "Sales",
      process: "hierarchical",
      manager: "Inbox sorter",
      members: ["Churn analyst", "Forecast explainer"],
      owner: "member",
      createdDaysAgo: 14,
      tasks: [
        {
          title: "Find accounts at risk",
          description: "Look at usage, support tickets and renewals of the last 90 days for early churn signals.",
          expectedOutput: "The accounts at risk, each with its risk level and the signals behind it.",
          assignee: "Churn analyst",
          outputFormat: accountRisk,
        },
        {
          title: "Check the forecast",
          description: "Compare last quarter's forecast with the actuals and say what the at-risk accounts do to the next one.",
          expectedOutput: "Forecast bias, MAPE and the revenue at risk next quarter.",
          assignee: "Forecast explainer",
          context: ["Find accounts at risk"],
        },
        {
          title: "Recommend actions",
          description: "For each high-risk account, recommend one action the account owner can take this month.",
          expectedOutput: "One action per high-risk account, with its owner.",
          assignee: "Churn analyst",
          context: ["Find accounts at risk", "Check the forecast"],
        },
      ],
      runs: [
        { daysAgo: 6, hour: 9, prompt: "Account review for November", outcome: "succeeded", by: "member" },
        { daysAgo: 0, hour: 1, prompt: "Account review: enterprise tier only", outcome: "succeeded", by: "member" },
      ],
    },
  ],
};

export const demoConversations: Readonly<Record<string, readonly DemoConversation[]>> = {
  acme: [
    {
      title: "Refund for a late delivery",
      owner: "member",
      subject: { agent: "Refund assistant" },
      daysAgo: 4,
      hour: 13,
      messages: [
        { role: "system", content: "You settle refund requests within the refund policy. Be brief and kind." },
        { role: "user", content: "My order ord_8Kd2 arrived a week late. Can I get a refund?" },
        {
          role: "assistant",
          content: "A week late qualifies for a partial refund under the policy. I can refund 20% of the order, $19.99.",
          usage: { inputTokens: 412, outputTokens: 58 },
        },
        {
          role: "assistant",
          parent: 2,
          content:
            "Sorry about the delay. Orders more than five days late get 20% back: I can refund $19.99 to your card today. Shall I go ahead?",
          usage: { inputTokens: 431, outputTokens: 71 },
        },
        { role: "user", content: "Yes please, go ahead." },
        {
          role: "tool",
          parts: [{ type: "tool_result", tool: "issue_refund", result: { refundId: "re_5Qp1", amountCents: 1999, status: "issued" } }],
        },
        {
          role: "assistant",
          content: "Done: $19.99 is on its way back to your card (refund re_5Qp1). It shows up within 5 business days.",
          usage: { inputTokens: 655, outputTokens: 44 },
          run: true,
        },
      ],
    },
    {
      title: "Escalation: double charge",
      owner: "admin",
      subject: { crew: "Support escalation" },
      daysAgo: 2,
      hour: 10,
      messages: [
        { role: "user", content: "Customer 'Northwind' says they were charged twice for the annual plan. Please handle it end to end." },
        {
          role: "assistant",
          parts: [
            { type: "text", text: "Triage: billing queue, high priority, refund requested." },
            { type: "data", data: { queue: "billing", priority: "high", refundRequested: true } },
          ],
          usage: { inputTokens: 820, outputTokens: 96 },
        },
        { role: "user", content: "Refund the duplicate and tell them." },
        {
          role: "assistant",
          content: "The duplicate charge is refunded and the reply is sent; a follow-up is set for Friday.",
          usage: { inputTokens: 1_140, outputTokens: 62 },
        },
      ],
    },
    {
      title: "Papers on RAG evaluation",
      owner: "member2",
      subject: { agent: "Literature scout" },
      daysAgo: 10,
      hour: 16,
      archived: true,
      messages: [
        { role: "user", content: "Which recent papers evaluate retrieval-augmented generation end to end?" },
        {
          role: "assistant",
          content: "Three worth reading: RAGAS (automated metrics), ARES (trained judges) and the BEIR follow-ups on retrieval quality.",
          usage: { inputTokens: 356, outputTokens: 88 },
        },
      ],
    },
  ],
  globex: [
    {
      title: "Status page wording",
      owner: "member",
      subject: { agent: "Translation helper" },
      daysAgo: 3,
      hour: 9,
      messages: [
        { role: "user", content: "Translate 'We are investigating elevated error rates' into German." },
        {
          role: "assistant",
          content: "Wir untersuchen derzeit erhöhte Fehlerraten.",
          usage: { inputTokens: 120, outputTokens: 14 },
          run: true,
        },
        { role: "user", content: "And into French?" },
        {
          role: "assistant",
          content: "Nous enquêtons sur des taux d'erreur élevés.",
          usage: { inputTokens: 150, outputTokens: 16 },
        },
        {
          role: "assistant",
          parent: 3,
          content: "Nous étudions actuellement une hausse des taux d'erreur.",
          usage: { inputTokens: 152, outputTokens: 18 },
        },
      ],
    },
    {
      title: "November risk review",
      owner: "admin",
      subject: { crew: "Account review" },
      daysAgo: 5,
      hour: 11,
      archived: true,
      messages: [
        { role: "system", content: "Answer for the sales leadership: short, with numbers." },
        { role: "user", content: "Which accounts are most at risk this month?" },
        {
          role: "assistant",
          content: "Two high-risk accounts: Initech (usage down 40%) and Umbrella (renewal in 3 weeks, open escalation).",
          usage: { inputTokens: 980, outputTokens: 73 },
        },
      ],
    },
  ],
};
