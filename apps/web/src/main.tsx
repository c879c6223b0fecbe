// Entry point: global styles, then the router. Everything else loads per route.
import { render } from 'solid-js/web';
import { App } from './App';
import './styles/theme.css';
import './styles/base.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html is missing #root');
render(() => <App />, root);
