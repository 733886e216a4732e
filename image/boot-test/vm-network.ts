// The boot test's own network, in its private network namespace: the host side of the TAP device, the VM's
// address (dnsmasq's only lease) and MAC, and the prefix every address of that network starts with.
export const vmNetwork = {
  hostSide: "10.77.0.1",
  guest: "10.77.0.10",
  prefix: "10.77.0.",
  tap: "rtcgw-tap0",
  mac: "52:54:00:77:00:10",
} as const;
