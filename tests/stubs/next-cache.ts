// next/cache needs a Next.js request to revalidate anything; server actions called from tests
// have none (vitest.config.ts aliases the package to this file).
export function revalidatePath(_path: string, _type?: "page" | "layout"): void {}
export function revalidateTag(_tag: string): void {}
