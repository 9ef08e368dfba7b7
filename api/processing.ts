// The register of processing (LGPD Art. 37), as data: which personal data the product processes, why, on what
// legal basis (Art. 7), shared with whom, kept how long. docs/processing-register.md is its readable form (a
// test keeps the two in step); GET /api/me/processing tells each person which activities apply to them.
import type {Role} from "./auth.js";

export interface ProcessingActivity {
  id: string;
  name: string;
  purpose: string;
  data: string[];
  legalBasis: string;
  sharing: string[];
  retention: string;
  roles: Role[];
  /** When set, the activity runs only while the user accepts this optional term item. */
  consentItem?: string;
}

export const processingRegister: ProcessingActivity[] = [
  {
    id: "accounts",
    name: "Accounts and sign-in",
    purpose: "Give each person access to the workbench and keep their session.",
    data: [
      "name (encrypted)",
      "email (encrypted; a keyed hash for sign-in and uniqueness)",
      "password (scrypt hash)",
      "sessions (keyed hash of IP address, user agent)"
    ],
    legalBasis: "Art. 7 V: performance of the contract",
    sharing: [],
    retention: "While the account exists; erased by anonymization when it is deleted.",
    roles: ["admin", "analyst", "client"]
  },
  {
    id: "identification",
    name: "Identification of clients",
    purpose: "Identify the client as the registrar's regulation requires (CPF) and reach them (phone).",
    data: ["CPF (encrypted)", "phone (encrypted)"],
    legalBasis: "Art. 7 II: compliance with a legal or regulatory obligation",
    sharing: [],
    retention: "While the account exists; erased by anonymization when it is deleted.",
    roles: ["client"]
  },
  {
    id: "consent",
    name: "Consent records",
    purpose: "Prove which terms each person accepted or revoked, when and through which channel.",
    data: ["user id", "term version and item", "decision and time", "keyed hash of IP address", "user agent"],
    legalBasis: "Art. 8 §2 (burden of proof) and Art. 16 I: kept to comply with a legal obligation",
    sharing: [],
    retention: "Kept after deletion, under a pseudonymous id.",
    roles: ["admin", "analyst", "client"]
  },
  {
    id: "audit",
    name: "Security and audit log",
    purpose: "Trace sign-ins, administrative acts, consent changes, exports, deletions and model-scoring calls.",
    data: ["user id", "act and time", "keyed hash of IP address"],
    legalBasis: "Art. 7 II and Art. 46: security obligations; Art. 37: records of processing",
    sharing: [],
    retention: "Kept after deletion, under a pseudonymous id; append-only.",
    roles: ["admin", "analyst", "client"]
  },
  {
    id: "notifications",
    name: "Notifications",
    purpose: "Tell people about changes to their data, their account's security and new terms.",
    data: ["email", "notification text"],
    legalBasis: "Art. 7 V: performance of the contract",
    sharing: ["the email relay operator (SMTP), as a processor"],
    retention: "In-app notices while the account exists; erased when it is deleted.",
    roles: ["admin", "analyst", "client"]
  },
  {
    id: "newsletter",
    name: "Product news by email",
    purpose: "Send news about the registrar's data products.",
    data: ["name", "email"],
    legalBasis: "Art. 7 I: consent (optional item 'newsletter', revocable at any time)",
    sharing: ["the email relay operator (SMTP), as a processor"],
    retention: "Until the consent is revoked.",
    roles: ["admin", "analyst", "client"],
    consentItem: "newsletter"
  },
  {
    id: "research",
    name: "Product research on usage",
    purpose: "Improve the workbench from how its pages and analyses are used.",
    data: ["user id", "pages visited", "analyses run"],
    legalBasis: "Art. 7 I: consent (optional item 'research', revocable at any time)",
    sharing: [],
    retention: "Until the consent is revoked; aggregated results keep no personal data.",
    roles: ["admin", "analyst", "client"],
    consentItem: "research"
  }
];

export interface ApplicableActivity extends ProcessingActivity {
  applies: boolean;
  why: string;
}

/** Each activity of the register, with whether it applies to this person and why. */
export function processingFor(role: Role, acceptedItems: ReadonlySet<string>): ApplicableActivity[] {
  return processingRegister.map((activity) => {
    if (!activity.roles.includes(role)) return {...activity, applies: false, why: `not processed for role ${role}`};
    if (activity.consentItem && !acceptedItems.has(activity.consentItem)) {
      return {...activity, applies: false, why: `optional item "${activity.consentItem}" not accepted`};
    }
    return {
      ...activity,
      applies: true,
      why: activity.consentItem ? `you accepted "${activity.consentItem}"` : activity.legalBasis
    };
  });
}
