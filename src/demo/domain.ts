// The DEMO cluster's DNS domain, on its own so that scenarios.ts (which names hosts with it) and
// inventory.ts (which reads the scenarios for the hosts one of them adds) do not import each other.
export const DEMO_DOMAIN = 'demo.example.com';
