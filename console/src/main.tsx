import "./zod-jitless";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { CALLBACK_PATH, Session } from "./auth";
import { loadConfig } from "./config";
import "./styles.css";

async function start() {
  const root = createRoot(document.getElementById("root")!);
  try {
    const session = new Session(await loadConfig(), {
      origin: window.location.origin,
      assign: (url) => window.location.assign(url),
      storage: window.sessionStorage,
      fetch: (...a) => fetch(...a),
    });
    if (session.mode === "hosted" && window.location.pathname === CALLBACK_PATH) {
      await session.completeHostedSignIn(window.location.search).catch((e: Error) => {
        window.history.replaceState(null, "", "/");
        throw e;
      });
      window.history.replaceState(null, "", "/");
    }
    root.render(<App session={session} />);
  } catch (e) {
    root.render(
      <main id="main" className="signin">
        <h1>FinOps console</h1>
        <p className="error" role="alert">
          The console cannot start: {(e as Error).message}
        </p>
      </main>,
    );
  }
}

void start();
