// Copies text to the clipboard, falling back to selecting an input and execCommand outside
// secure contexts (plain http on a LAN address has no clipboard API).
export async function copyText(text: string, fallbackInput?: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (error) {
    console.warn('clipboard API unavailable, falling back to execCommand', error);
    if (!fallbackInput) return false;
    fallbackInput.select();
    return document.execCommand('copy');
  }
}
