import { A } from '@solidjs/router';

export default function NotFoundPage() {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <A href="/">Go to the overview</A>.
      </p>
    </section>
  );
}
