import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";

import { createApiClient, createQueryClient, TRPCProvider } from "./api";
import { App } from "./app";
import "./styles.css";

function Root() {
  // One query cache and one client per page load; the client reads the token on every request.
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(() => createApiClient());
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

const rootElement = document.getElementById("root");
if (!rootElement) throw new Error("index.html has no #root element to render the panel into");
createRoot(rootElement).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
