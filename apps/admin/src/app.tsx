/** Routes and the frame around every signed-in page: navigation, who is signed in, sign-out. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Navigate, NavLink, Route, Routes, useLocation, useNavigate } from "react-router";

import { AgentPage } from "./agents/agent-page";
import { useTRPC } from "./api";
import { AuditLogPage } from "./audit-log/audit-log-page";
import { ConversationPage } from "./conversations/conversation-page";
import { ConversationsPage } from "./conversations/conversations-page";
import { CrewPage } from "./crews/crew-page";
import { CrewsPage } from "./crews/crews-page";
import { ExecutionPage } from "./executions/execution-page";
import { ExecutionsPage } from "./executions/executions-page";
import { shortId } from "./format";
import { MaintenancePage } from "./maintenance/maintenance-page";
import { ModelsPage } from "./models/models-page";
import { OverviewPage } from "./overview/overview-page";
import { readClaims, signOut, useToken } from "./session";
import { SignInPage } from "./sign-in/sign-in-page";
import { TenantPage } from "./tenants/tenant-page";
import { ToolsPage } from "./tools/tools-page";

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/" element={<SignedIn page={<OverviewPage />} />} />
      <Route path="/tenants/:tenantId" element={<SignedIn page={<TenantPage />} />} />
      <Route path="/tenants/:tenantId/tools" element={<SignedIn page={<ToolsPage />} />} />
      <Route path="/tenants/:tenantId/crews" element={<SignedIn page={<CrewsPage />} />} />
      <Route path="/crews/:crewId" element={<SignedIn page={<CrewPage />} />} />
      <Route path="/tenants/:tenantId/conversations" element={<SignedIn page={<ConversationsPage />} />} />
      <Route path="/tenants/:tenantId/conversations/:conversationId" element={<SignedIn page={<ConversationPage />} />} />
      <Route path="/agents/:agentId" element={<SignedIn page={<AgentPage />} />} />
      <Route path="/executions" element={<SignedIn page={<ExecutionsPage />} />} />
      <Route path="/executions/:executionId" element={<SignedIn page={<ExecutionPage />} />} />
      <Route path="/models" element={<SignedIn page={<ModelsPage />} />} />
      <Route path="/audit-log" element={<SignedIn page={<AuditLogPage />} />} />
      <Route path="/maintenance" element={<SignedIn page={<MaintenancePage />} />} />
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}

/** A page for signed-in staff; a `?token=` link signs in first (the dev link `pnpm dev` users open). */
function SignedIn({ page }: { page: ReactNode }) {
  const token = useToken();
  const location = useLocation();
  const linkToken = new URLSearchParams(location.search).get("token");
  if (linkToken) return <SignInPage linkToken={linkToken} />;
  if (!token) return <Navigate to="/sign-in" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <Shell token={token}>{page}</Shell>;
}

const navigation = [
  { to: "/", label: "Overview", end: true },
  { to: "/executions", label: "Executions", end: false },
  { to: "/models", label: "Models", end: false },
  { to: "/audit-log", label: "Audit log", end: false },
  { to: "/maintenance", label: "Maintenance", end: false },
];

function Shell({ token, children }: { token: string; children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const claims = readClaims(token);
  // Who is asking, from the directory; until it answers (or if it fails), the token's ids stand in.
  const trpc = useTRPC();
  const staff = useQuery(trpc.admin.staffMember.queryOptions()).data;
  const userId = staff?.userId ?? claims?.sub;
  const tenantId = staff?.tenantId ?? claims?.tid;
  const name = staff?.displayName ?? staff?.email ?? (userId ? shortId(userId) : "unknown");
  const tenantName = staff?.tenantName ?? tenantId;
  const leave = () => {
    signOut();
    // Nothing one staff member loaded may be shown to the next one in this tab.
    queryClient.clear();
    navigate("/sign-in");
  };
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          Agent Builder
          <span>Admin</span>
        </div>
        <nav aria-label="Main">
          {navigation.map((item) => (
            <NavLink key={item.to} to={item.to} end={item.end} className="nav-link">
              {item.label}
            </NavLink>
          ))}
        </nav>
      </aside>
      <div className="main">
        <header className="topbar">
          <span className="topbar-note">Staff view · all tenants · times in UTC</span>
          <span
            className="whoami"
            data-testid="whoami"
            title={[userId && `user ${userId}`, tenantId && `tenant ${tenantId}`].filter(Boolean).join(" · ")}
          >
            Signed in as <strong>{name}</strong>
            {tenantName && <> of {tenantName}</>}
            {claims?.role && <span className="role">{claims.role}</span>}
          </span>
          <button type="button" className="secondary" onClick={leave}>
            Sign out
          </button>
        </header>
        <main className="content">{children}</main>
      </div>
    </div>
  );
}
