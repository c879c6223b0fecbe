// The centred card the signed-out pages (sign in, first admin) share.
import type { JSX } from 'solid-js';
import './auth.css';

export function AuthCard(props: { title: string; intro?: string; children: JSX.Element }) {
  return (
    <main class="auth-page">
      <div class="auth-card">
        <p class="auth-brand">
          <span class="brand-mark" aria-hidden="true" />
          Mission Control
        </p>
        <h1>{props.title}</h1>
        {props.intro ? <p class="auth-intro">{props.intro}</p> : null}
        {props.children}
      </div>
    </main>
  );
}
