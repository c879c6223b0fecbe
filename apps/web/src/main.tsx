// Entry point: global styles first (components' CSS must come after them to win ties), then
// the router. Everything else loads per route.
import './styles/theme.css';
import './styles/base.css';
import { render } from 'solid-js/web';
import { App } from './App';

const root = document.getElementById('root');
if (!root) throw new Error('index.html is missing #root');
render(() => <App />, root);
