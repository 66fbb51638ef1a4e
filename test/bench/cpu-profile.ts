/** Hand-made `.cpuprofile` nodes for the profile readers' tests. */
export const profileNode = (id: number, functionName: string, url: string, children: number[] = [], lineNumber = 0) => ({
  id,
  callFrame: { functionName, url, lineNumber },
  children,
});
