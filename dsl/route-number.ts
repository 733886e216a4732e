// Dial routes are numbered from 1 wherever a user reads them (check's messages, agent.json, the admin UI).
export function routeNumber(index: number): number {
  return index + 1;
}
