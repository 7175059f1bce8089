/** The dashboard's entry: one store fed by the live feed, rendered by the app. */
import { render } from 'preact';
import { App } from './app.js';
import { connectLive } from './live.js';
import { Store } from './store.js';
import './app.css';

const store = new Store();
connectLive(store);
const root = document.getElementById('app');
if (root !== null) render(<App store={store} />, root);
