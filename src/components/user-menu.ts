// The signed-in person's menu: who they are, their unread notifications (opened in place, marked read one by
// one or all at once), links to their account pages, and sign-out.
import {api, when} from "./api-client.js";
import {el, useFormStyles} from "./form-kit.js";

interface SessionInfo {
  user: {id: string; name: string; email: string; role?: string | null};
}

interface Notice {
  id: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

export async function signOut(): Promise<void> {
  await api("/api/auth/sign-out", {method: "POST", json: {}, keepPage: true});
  location.assign("/sign-in");
}

/** The menu element; it fills itself in from the session and the notifications. */
export function userMenu(): HTMLElement {
  useFormStyles();
  const root = el("nav", {class: "user-menu", "aria-label": "Account"});
  void fill(root);
  return root;
}

async function fill(root: HTMLElement): Promise<void> {
  const session = await api<SessionInfo | null>("/api/auth/get-session", {keepPage: true});
  const user = session.ok ? session.data?.user : null;
  if (!user) {
    root.append(el("a", {href: "/sign-in"}, "Sign in"));
    return;
  }
  const badge = el("span", {class: "badge", "data-count": "0"}, "0");
  const list = el("ul");
  const summary = el("summary", {}, "Notifications ", badge);
  const readAll = el("button", {type: "button"}, "Mark all read");
  const panel = el("div", {class: "notices"}, list, el("div", {class: "actions"}, readAll));
  const notices = el("details", {class: "notifications"}, summary, panel);

  // Following a notice's link marks it read first.
  const follow = async (event: Event, notice: Notice) => {
    if (notice.readAt || !notice.link) return;
    event.preventDefault();
    await api(`/api/notifications/${encodeURIComponent(notice.id)}/read`, {method: "POST", json: {}, keepPage: true});
    location.assign(notice.link);
  };
  const render = (items: Notice[], unread: number) => {
    badge.textContent = String(unread);
    badge.dataset.count = String(unread);
    summary.setAttribute("aria-label", `Notifications: ${unread} unread`);
    readAll.disabled = unread === 0;
    list.replaceChildren(
      ...(items.length
        ? items
            .slice(0, 10)
            .map((n) =>
              el(
                "li",
                {"data-unread": n.readAt === null},
                n.link ? el("a", {href: n.link, onclick: (event) => follow(event, n)}, n.title) : n.title,
                el("p", {}, n.body),
                el("p", {class: "hint"}, when(n.createdAt))
              )
            )
        : [el("li", {}, "No notifications.")])
    );
  };
  const load = async () => {
    const result = await api<{notifications: Notice[]; unread: number}>("/api/notifications", {keepPage: true});
    if (result.ok) render(result.data.notifications, result.data.unread);
  };
  readAll.addEventListener("click", async () => {
    await api("/api/notifications/read-all", {method: "POST", json: {}, keepPage: true});
    await load();
  });
  const signOutButton = el("button", {type: "button"}, "Sign out");
  signOutButton.addEventListener("click", () => {
    signOutButton.disabled = true;
    void signOut();
  });
  root.append(
    el("span", {class: "who"}, `${user.name} · ${user.role ?? "client"}`),
    notices,
    el("a", {href: "/profile"}, "Profile"),
    el("a", {href: "/privacy"}, "Privacy"),
    signOutButton
  );
  await load();
}
