import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { loadConfig } from "./config";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
loadConfig()
  .then((config) =>
    root.render(
      <StrictMode>
        <App apiBaseUrl={config.apiBaseUrl} />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) => root.render(<p role="alert">CMIS cannot start: {String(error)}</p>));
