// Reads submitted form fields as text (FormData gives File | string | null).
export function readField(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
