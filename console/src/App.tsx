import { type MouseEvent, useEffect, useState } from "react";
import { Api } from "./api";
import { CALLBACK_PATH, type Session, type SessionState, type User } from "./auth";
import { useLoad } from "./ui";
import { Accounts } from "./views/Accounts";
import { Approvals } from "./views/Approvals";
import { Budgets } from "./views/Budgets";
import { Overview } from "./views/Overview";
import { SignIn } from "./views/SignIn";
import { SpendCards } from "./views/SpendCards";
import { Users } from "./views/Users";

const FINANCE = ["Admins", "FinancialAdmins"];

/** The views and who is offered each (the API enforces the same rules). */
export function viewsFor(user: Pick<User, "groups">) {
  const finance = user.groups.some((g) => FINANCE.includes(g));
  return [
    { path: "/", label: "Overview" },
    { path: "/accounts", label: "Accounts" },
    { path: "/budgets", label: "Budgets" },
    ...(finance ? [{ path: "/approvals", label: "Approvals" }] : []),
    { path: "/cards", label: "Spend cards" },
    ...(user.groups.includes("Admins") ? [{ path: "/users", label: "Users" }] : []),
  ];
}

function usePath(): [string, (p: string) => void] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const on = () => setPath(window.location.pathname);
    window.addEventListener("popstate", on);
    return () => window.removeEventListener("popstate", on);
  }, []);
  return [
    path,
    (p) => {
      window.history.pushState(null, "", p);
      setPath(p);
    },
  ];
}

export function App({ session }: { session: Session }) {
  const [state, setState] = useState<SessionState>(session.current);
  useEffect(() => session.subscribe(setState), [session]);
  if (state.status === "signed-out") return <SignIn session={session} reason={state.reason} />;
  return <Shell session={session} user={state.user} />;
}

function Shell({ session, user }: { session: Session; user: User }) {
  const [api] = useState(() => new Api(session));
  const [path, go] = usePath();
  const ingestion = useLoad(() => api.ingestion(), []);
  const views = viewsFor(user);
  const current = views.find((v) => v.path === path) ?? views[0]!;
  const finance = user.groups.some((g) => FINANCE.includes(g));
  const months = (ingestion.data?.periods ?? [])
    .map((p) => p.billingPeriod)
    .sort()
    .reverse();
  const last = ingestion.data?.lastProcessed;
  useEffect(() => {
    document.title = `${current.label} · FinOps console`;
    if (path === CALLBACK_PATH || !views.some((v) => v.path === path))
      window.history.replaceState(null, "", "/");
  }, [current.label, path, views]);
  const link = (p: string) => (e: MouseEvent) => {
    e.preventDefault();
    go(p);
    document.getElementById("main")?.focus();
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <div className="brand">FinOps console</div>
        <p className="freshness" data-testid="freshness">
          {last
            ? `CUR ${last.billingPeriod} (${last.version}), ingested ${new Date(last.committedAt).toLocaleString("en-US", { timeZone: "UTC", dateStyle: "medium", timeStyle: "short" })} UTC`
            : ingestion.loading
              ? "Reading data freshness…"
              : "No CUR ingested yet"}
        </p>
        <div className="me">
          <span data-testid="me">
            {user.email ?? user.sub} · {user.groups.join(", ") || "no group"}
          </span>
          <button type="button" className="secondary" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
        <nav aria-label="Views">
          <ul>
            {views.map((v) => (
              <li key={v.path}>
                <a
                  href={v.path}
                  aria-current={v.path === current.path ? "page" : undefined}
                  onClick={link(v.path)}
                >
                  {v.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {ingestion.data &&
          (current.path === "/" ? (
            <Overview api={api} months={months} />
          ) : current.path === "/accounts" ? (
            <Accounts api={api} finance={finance} />
          ) : current.path === "/budgets" ? (
            <Budgets api={api} finance={finance} month={months[0]} />
          ) : current.path === "/approvals" ? (
            <Approvals api={api} canDecide={user.groups.includes("FinancialAdmins")} sub={user.sub} />
          ) : current.path === "/cards" ? (
            <SpendCards api={api} />
          ) : (
            <Users api={api} />
          ))}
        {ingestion.error && (
          <p className="error" role="alert">
            {ingestion.error}
          </p>
        )}
      </main>
    </>
  );
}
