// Observable Framework configuration: pages, theme, and the settings that keep the build offline.
export default {
  title: "Grafeno Workbench",
  root: "src",
  // The server serves GRAFENO_DIST too, so a build and the server it feeds agree on the folder.
  output: process.env.GRAFENO_DIST || "dist",
  theme: ["air", "near-midnight"],
  // The default stylesheet pulls web fonts from a third party; pages may only request their own origin.
  globalStylesheets: [],
  // Extensions are downloaded at build time unless disabled; outputs are Arrow IPC streams, which need none.
  duckdb: {extensions: {json: null, parquet: null}},
  // TypeScript loaders through node with tsx's loader hooks: the tsx command starts a second process, which
  // costs about 0.2 s for each of the two dozen loaders of a build.
  interpreters: {".ts": ["node", "--import", "tsx"]},
  search: false,
  pager: false,
  footer: "SPC Grafeno analytics workbench · data stays on this server",
  pages: [
    {name: "Statistics", path: "/statistics"},
    {name: "Datasets", path: "/datasets"},
    {name: "Registrations", path: "/registrations"},
    {name: "RFM explorer", path: "/rfm"},
    {name: "Clusters", path: "/clusters"},
    {name: "Retention", path: "/retention"},
    {name: "Late-payment risk", path: "/risk"},
    {name: "Model health", path: "/model-health"},
    {name: "Score a dataset", path: "/score"},
    {name: "Report", path: "/report"},
    {
      name: "Account",
      pages: [
        {name: "Profile", path: "/profile"},
        {name: "Privacy", path: "/privacy"}
      ]
    },
    {
      name: "Administration",
      pages: [
        {name: "Users", path: "/admin/users"},
        {name: "Terms", path: "/admin/terms"},
        {name: "Audit log", path: "/admin/audit"},
        {name: "Operations", path: "/admin/operations"}
      ]
    }
  ],
  // No favicon request: an anonymous one would be refused and logged as a console error. Every page runs the page
  // shell (the signed-in person's menu).
  head:
    '<meta name="referrer" content="same-origin"><link rel="icon" href="data:,">' +
    '<script type="module" src="/components/page-shell.js"></script>'
};
