// What every page of the workbench runs, loaded from `head` in observablehq.config.ts: the signed-in person's menu
// at the top of the page. The bare sign-in and sign-up pages (no sidebar) go without: nobody is signed in there.
import {userMenu} from "./user-menu.js";

const main = document.getElementById("observablehq-main");
if (main && document.getElementById("observablehq-sidebar") && !main.querySelector(".user-menu")) {
  main.prepend(userMenu());
}
